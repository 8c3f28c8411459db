import {sprint, sprintf, sprintln} from './fmt.js'
import {isInt, isRecord, isTrue, keyOf, typeName, utf8, type Value} from './values.js'

/**
 * Go's predefined template functions (text/template's funcs.go) and the shape every template function has.
 * A function declares its parameters as Go would type them, so a call is checked as Go checks it (the
 * number of arguments, then each argument's type); it throws an Error for Go's "error calling NAME: …".
 */

/** What a parameter takes: anything, a string, an int, or a list of strings (Go's []string). */
export type ParamType = 'any' | 'string' | 'int' | 'strings'

export interface TemplateFunction {
  params: ParamType[]
  /** The type of further arguments, for a variadic function. */
  variadic?: ParamType
  /** and/or: called with thunks, evaluated left to right only as far as needed (Go short-circuits them). */
  lazy?: boolean
  call: (...args: never[]) => Value
}

export type FunctionTable = {[name: string]: TemplateFunction}

type Kind = 'nil' | 'bool' | 'number' | 'string' | 'other'

function kindOf(value: Value): Kind {
  if (value === null || value === undefined) return 'nil'
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
    return typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'number' : 'string'
  }
  return 'other'
}

const INCOMPATIBLE = 'incompatible types for comparison'
const INVALID = 'invalid type for comparison'

/** Go's eq: whether the first argument equals any of the others. Ints and floats compare as numbers. */
function eq(first: Value, ...others: Value[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison')
  const k1 = kindOf(first)
  return others.some((other) => {
    const k2 = kindOf(other)
    if (k1 === 'nil' || k2 === 'nil') return k1 === k2
    if (k1 !== k2) throw new Error(INCOMPATIBLE)
    if (k1 === 'other') throw new Error(`non-comparable type ${sprintf('%s', [other])}: ${typeName(other)}`)
    return first === other
  })
}

function lt(a: Value, b: Value): boolean {
  const [k1, k2] = [kindOf(a), kindOf(b)]
  if (k1 === 'nil' || k1 === 'other' || k2 === 'nil' || k2 === 'other') throw new Error(INVALID)
  if (k1 !== k2) throw new Error(INCOMPATIBLE)
  if (k1 === 'bool') throw new Error(INVALID)
  if (k1 === 'string') return Buffer.compare(utf8(a as string), utf8(b as string)) < 0
  return (a as number) < (b as number)
}

const le = (a: Value, b: Value) => lt(a, b) || eq(a, b)

/** An index into something of `length` items (or up to `length` itself when `inclusive`, as slice allows). */
function indexArg(index: Value, length: number, inclusive = false): number {
  if (index === null || index === undefined) throw new Error('cannot index slice/array with nil')
  if (!isInt(index)) throw new Error(`cannot index slice/array with type ${typeName(index)}`)
  if (index < 0 || index > length || (index === length && !inclusive)) throw new Error(`index out of range: ${index}`)
  return index
}

function index(item: Value, ...indexes: Value[]): Value {
  if (item === null || item === undefined) throw new Error('index of untyped nil')
  for (const i of indexes) {
    if (item === null || item === undefined) throw new Error('index of nil pointer')
    if (typeof item === 'string') {
      const bytes = utf8(item)
      item = bytes[indexArg(i, bytes.length)]
    } else if (Array.isArray(item)) {
      item = item[indexArg(i, item.length)]
    } else if (isRecord(item)) {
      if (typeof i !== 'string') throw new Error(`value has type ${typeName(i)}; should be string`)
      const key = keyOf(item, i)
      item = key === undefined ? null : item[key]
    } else {
      throw new Error(`can't index item of type ${typeName(item)}`)
    }
  }
  return item
}

function slice(item: Value, ...indexes: Value[]): Value {
  if (item === null || item === undefined) throw new Error('slice of untyped nil')
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`)
  let length: number
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string')
    length = utf8(item).length
  } else if (Array.isArray(item)) {
    length = item.length
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`)
  }
  const bounds = [0, length, length]
  indexes.forEach((i, n) => (bounds[n] = indexArg(i, length, true)))
  if (bounds[0] > bounds[1]) throw new Error(`invalid slice index: ${bounds[0]} > ${bounds[1]}`)
  if (indexes.length === 3 && bounds[1] > bounds[2]) throw new Error(`invalid slice index: ${bounds[1]} > ${bounds[2]}`)
  if (typeof item === 'string') return utf8(item).subarray(bounds[0], bounds[1]).toString('utf8')
  return item.slice(bounds[0], bounds[1])
}

function length(item: Value): number {
  if (item === null || item === undefined) throw new Error('len of nil pointer')
  if (typeof item === 'string') return utf8(item).length
  if (Array.isArray(item)) return item.length
  if (isRecord(item)) return Object.keys(item).length
  throw new Error(`len of type ${typeName(item)}`)
}

/** The text html, js and urlquery escape: a lone string as it is, else the arguments as print joins them. */
const textOf = (args: Value[]) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args))

const HTML_ESCAPES: {[char: string]: string} = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
}
const JS_ESCAPES: {[char: string]: string} = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
}
const hex4 = (code: number) => code.toString(16).toUpperCase().padStart(4, '0')

function jsEscape(text: string): string {
  let out = ''
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (JS_ESCAPES[char]) out += JS_ESCAPES[char]
    else if (code < 0x20) out += `\\u${hex4(code)}`
    else if (code < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char)) out += char
    else out += `\\u${hex4(code)}`
  }
  return out
}

/** Go's url.QueryEscape: all but letters, digits and `-_.~` percent-encoded, spaces as `+`. */
const queryEscape = (text: string) =>
  encodeURIComponent(text)
    .replaceAll(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+')

const ANY: ParamType[] = ['any']

export const GO_BUILTINS: FunctionTable = {
  and: {
    params: ANY,
    variadic: 'any',
    lazy: true,
    call: (...args: Array<() => Value>) => {
      let value: Value
      for (const arg of args) if (!isTrue((value = arg()))) return value
      return value
    },
  },
  or: {
    params: ANY,
    variadic: 'any',
    lazy: true,
    call: (...args: Array<() => Value>) => {
      let value: Value
      for (const arg of args) if (isTrue((value = arg()))) return value
      return value
    },
  },
  not: {params: ANY, call: (value: Value) => !isTrue(value)},
  len: {params: ANY, call: length},
  index: {params: ANY, variadic: 'any', call: index},
  slice: {params: ANY, variadic: 'any', call: slice},
  print: {params: [], variadic: 'any', call: (...args: Value[]) => sprint(args)},
  printf: {params: ['string'], variadic: 'any', call: (format: string, ...args: Value[]) => sprintf(format, args)},
  println: {params: [], variadic: 'any', call: (...args: Value[]) => sprintln(args)},
  eq: {params: ANY, variadic: 'any', call: eq},
  ne: {params: ['any', 'any'], call: (a: Value, b: Value) => !eq(a, b)},
  lt: {params: ['any', 'any'], call: lt},
  le: {params: ['any', 'any'], call: le},
  gt: {params: ['any', 'any'], call: (a: Value, b: Value) => !le(a, b)},
  ge: {params: ['any', 'any'], call: (a: Value, b: Value) => !lt(a, b)},
  html: {
    params: [],
    variadic: 'any',
    call: (...args: Value[]) => textOf(args).replaceAll(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]),
  },
  js: {params: [], variadic: 'any', call: (...args: Value[]) => jsEscape(textOf(args))},
  urlquery: {params: [], variadic: 'any', call: (...args: Value[]) => queryEscape(textOf(args))},
  // the rows hold no functions, so there is nothing call can call; it fails as Go's does on a non-function
  call: {
    params: ANY,
    variadic: 'any',
    call: (fn: Value) => {
      throw new Error(fn === null || fn === undefined ? 'call of nil' : `non-function of type ${typeName(fn)}`)
    },
  },
}
