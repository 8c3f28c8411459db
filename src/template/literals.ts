/**
 * Go's literal syntax as templates use it: numbers (strconv.ParseInt/ParseFloat with base prefixes and `_`),
 * character constants ('a', '\n') and quoted strings ("…" with Go's escapes, `raw`). Each returns the value or
 * throws an Error with Go's wording, which the parser reports with the line.
 */

/** A number constant. Integers and floats are both JS numbers: an integral value is an int. */
export function parseNumber(text: string): number {
  if (text.endsWith('i')) throw new Error(`complex number ${text} is not supported`)
  if (text.startsWith("'")) return parseChar(text)
  const sign = text.startsWith('-') ? -1 : 1
  const body = text.replace(/^[+-]/, '')
  const underscoresOk = !/^_|_$|__|_\.|\._/.test(body.replace(/^0[xXoObB]/, ''))
  const digits = body.replaceAll('_', '')
  const integer =
    /^0[xX][0-9a-fA-F]+$/.test(digits) || /^0[oO][0-7]+$/.test(digits) || /^0[bB][01]+$/.test(digits)
      ? Number(digits.replace(/^0[oO]/, '0o').replace(/^0[bB]/, '0b'))
      : /^0[0-7]*$/.test(digits)
        ? parseInt(digits, 8) // a leading 0 means octal, as in Go
        : /^[1-9][0-9]*$/.test(digits)
          ? Number(digits)
          : undefined
  if (underscoresOk && integer !== undefined) {
    if (!Number.isSafeInteger(integer)) throw new Error(`integer overflow: ${JSON.stringify(text)}`)
    return sign * integer
  }
  if (underscoresOk && /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(digits)) {
    // Go reads 08 as a float, and a float written without . or e as an integer too large for an int
    if (!/[.eE]/.test(digits)) throw new Error(`integer overflow: ${JSON.stringify(text)}`)
    return sign * Number(digits)
  }
  throw new Error(`illegal number syntax: ${JSON.stringify(text)}`)
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
}

/** Go's strconv.Unquote for "…" and `…` strings. */
export function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1).replaceAll('\r', '')
  return unescape(text.slice(1, -1), '"')
}

function parseChar(text: string): number {
  const value = unescape(text.slice(1, -1), "'")
  const chars = [...value]
  if (chars.length !== 1) throw new Error(`malformed character constant: ${text}`)
  return chars[0].codePointAt(0) ?? 0
}

/** \x and octal escapes are bytes in Go; one above 0x7f alone is not UTF-8 text, which is all a JS string holds. */
const byteAbove7f = (escape: string) => new Error(`${escape}: a byte above 0x7f is not supported`)

function unescape(body: string, quote: string): string {
  let out = ''
  let i = 0
  const invalid = () => new Error('invalid syntax')
  while (i < body.length) {
    const c = body[i]
    if (c === quote) throw invalid()
    if (c !== '\\') {
      out += c
      i++
      continue
    }
    const e = body[i + 1]
    i += 2
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e]
    else if (e === quote) out += e
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8
      const hex = body.slice(i, i + n)
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw invalid()
      const code = parseInt(hex, 16)
      if (e !== 'x' && (code > 0x10ffff || (code >= 0xd800 && code < 0xe000))) throw invalid()
      if (e === 'x' && code > 0x7f) throw byteAbove7f(`\\x${hex}`)
      out += String.fromCodePoint(code)
      i += n
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const octal = body.slice(i - 1, i + 2)
      if (!/^[0-7]{3}$/.test(octal)) throw invalid()
      if (parseInt(octal, 8) > 0x7f) throw byteAbove7f(`\\${octal}`)
      out += String.fromCharCode(parseInt(octal, 8))
      i += 2
    } else throw invalid()
  }
  return out
}
