import type {FunctionTable} from './functions.js'
import {utf8, type Value} from './values.js'

/**
 * The functions the docker CLI adds to every --format template (docker/cli templates/templates.go):
 * json split join title lower upper pad truncate, and the stand-ins its `table` header row runs instead,
 * which leave a column's name as it is (`{{upper .Name}}` heads its column NAME, not an upper-cased value).
 */

/** docker's json: Go's encoding/json without HTML escaping (`<`, `>`, `&` stay), one line. */
function json(value: Value): string {
  return (JSON.stringify(value ?? null) ?? 'null')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029')
    .replaceAll(/\\ud[89a-f][0-9a-f]{2}/g, '\\ufffd') // Go writes invalid text as U+FFFD
}

/** Go's simple case mapping: a character whose mapping is not one character stays as it is (ß, not SS). */
const mapCase = (text: string, map: (char: string) => string) =>
  [...text]
    .map((char) => {
      const mapped = map(char)
      return [...mapped].length === 1 ? mapped : char
    })
    .join('')

/** Go's strings.Title: upper-cases each letter that follows a separator (not a letter, digit or `_`). */
function title(text: string): string {
  let previous = ' '
  return mapCase(text, (char) => {
    const separator = /^\p{White_Space}$/u.test(previous) || (previous < '\u0080' && !/^\w$/.test(previous))
    previous = char
    return separator ? char.toUpperCase() : char
  })
}

function repeat(count: number): string {
  if (count < 0) throw new Error('strings: negative Repeat count')
  return ' '.repeat(count)
}

export const DOCKER_FUNCTIONS: FunctionTable = {
  json: {params: ['any'], call: json},
  split: {
    params: ['string', 'string'],
    call: (text: string, sep: string) => (sep === '' ? [...text] : text.split(sep)),
  },
  join: {params: ['strings', 'string'], call: (items: string[], sep: string) => items.join(sep)},
  title: {params: ['string'], call: title},
  lower: {params: ['string'], call: (text: string) => mapCase(text, (c) => c.toLowerCase())},
  upper: {params: ['string'], call: (text: string) => mapCase(text, (c) => c.toUpperCase())},
  pad: {
    params: ['string', 'int', 'int'],
    call: (text: string, prefix: number, suffix: number) =>
      text === '' ? text : repeat(prefix) + text + repeat(suffix),
  },
  truncate: {
    params: ['string', 'int'],
    call: (text: string, length: number) => {
      const bytes = utf8(text)
      if (bytes.length < length) return text
      if (length < 0) throw new Error(`runtime error: slice bounds out of range [:${length}]`)
      return bytes.subarray(0, length).toString('utf8')
    },
  },
}

const keep = (value: Value) => value

/** docker's HeaderFunctions: what the header row of a `table` runs instead (pad is not replaced). */
export const DOCKER_HEADER_FUNCTIONS: FunctionTable = {
  ...DOCKER_FUNCTIONS,
  json: {params: ['any'], call: keep},
  split: {params: ['string', 'string'], call: keep},
  join: {params: ['string', 'string'], call: keep},
  title: {params: ['string'], call: keep},
  lower: {params: ['string'], call: keep},
  upper: {params: ['string'], call: keep},
  truncate: {params: ['string', 'int'], call: keep},
}
