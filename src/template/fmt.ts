import {isInt, isRecord, sortedKeys, typeName, utf8, type Value} from './values.js'

/**
 * Go's fmt as templates reach it (print, printf, println, and printing an action's value): `%v` of every
 * value (slices as `[a b]`, maps as `map[k:v]`, nil as `<nil>`), the verbs `%d %b %o %O %x %X %c %q %U`,
 * `%e %E %f %F %g %G`, `%s %q %x %X`, `%t`, `%T`, `%%`, the flags `+ - # 0 space`, width and precision (also
 * from `*` and with `%[n]` argument indexes), and Go's in-line errors (`%!d(string=x)`, `%!d(MISSING)`,
 * `%!(EXTRA int=1)`). Floats are formatted from their exact binary value, rounding half to even as Go does.
 * Since JSON numbers carry no int/float type, the float verbs also take integral numbers. Not supported:
 * `%x %X %b` of non-integral floats (binary exponent forms), which print as a bad verb.
 */

interface Flags {
  plus: boolean
  minus: boolean
  sharp: boolean
  space: boolean
  zero: boolean
  plusV: boolean
  sharpV: boolean
  width?: number
  precision?: number
}

const NO_FLAGS: Flags = {
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  plusV: false,
  sharpV: false,
}

/** Go's fmt.Sprint: operands in their %v form, with a space between two operands when neither is a string. */
export function sprint(args: Value[]): string {
  let out = ''
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' '
    out += printArg(arg, 'v', NO_FLAGS)
  })
  return out
}

/** Go's fmt.Sprintln: operands in their %v form, separated by spaces, and a newline. */
export function sprintln(args: Value[]): string {
  return `${args.map((arg) => printArg(arg, 'v', NO_FLAGS)).join(' ')}\n`
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: Value[]): string {
  let out = ''
  let argNum = 0
  let reordered = false
  const end = format.length
  /** `[n]` at i: the argument it names (from 0), where the format goes on, and whether it named one. */
  const argIndex = (at: number): {found: boolean; good: boolean; at: number} => {
    if (format[at] !== '[') return {found: false, good: true, at}
    reordered = true
    const close = format.indexOf(']', at)
    const digits = close < 0 ? '' : format.slice(at + 1, close)
    if (close < 0 || !/^[0-9]{1,6}$/.test(digits))
      return {found: false, good: false, at: close < 0 ? at + 1 : close + 1}
    const index = Number(digits) - 1
    if (index < 0 || index >= args.length) return {found: true, good: false, at: close + 1}
    argNum = index
    return {found: true, good: true, at: close + 1}
  }
  const number = (at: number): {value?: number; at: number} => {
    const digits = /^[0-9]{1,6}/.exec(format.slice(at))?.[0]
    return digits === undefined ? {at} : {value: Number(digits), at: at + digits.length}
  }
  const intArg = (): number | undefined => {
    if (argNum >= args.length) return undefined
    const value = args[argNum++]
    return isInt(value) && Math.abs(value) <= 1e6 ? value : undefined
  }

  let i = 0
  while (i < end) {
    const percent = format.indexOf('%', i)
    if (percent < 0) {
      out += format.slice(i)
      break
    }
    out += format.slice(i, percent)
    i = percent + 1
    const f: Flags = {...NO_FLAGS}
    for (; i < end; i++) {
      const c = format[i]
      if (c === '#') f.sharp = true
      else if (c === '0') f.zero = !f.minus
      else if (c === '+') f.plus = true
      else if (c === '-') [f.minus, f.zero] = [true, false]
      else if (c === ' ') f.space = true
      else break
    }
    let index = argIndex(i)
    let good = index.good
    i = index.at
    if (format[i] === '*') {
      i++
      f.width = intArg()
      if (f.width === undefined) out += '%!(BADWIDTH)'
      else if (f.width < 0) [f.width, f.minus, f.zero] = [-f.width, true, false]
      index = {...index, found: false}
    } else {
      const width = number(i)
      f.width = width.value
      i = width.at
      if (index.found && width.value !== undefined) good = false
    }
    if (format[i] === '.' && i + 1 < end) {
      i++
      if (index.found) good = false
      index = argIndex(i)
      good &&= index.good
      i = index.at
      if (format[i] === '*') {
        i++
        f.precision = intArg()
        if (f.precision !== undefined && f.precision < 0) f.precision = undefined
        if (f.precision === undefined) out += '%!(BADPREC)'
        index = {...index, found: false}
      } else {
        const precision = number(i)
        f.precision = precision.value ?? 0
        i = precision.at
      }
    }
    if (!index.found) {
      index = argIndex(i)
      good &&= index.good
      i = index.at
    }
    if (i >= end) {
      out += '%!(NOVERB)'
      break
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0)
    i += verb.length
    if (verb === '%') out += '%'
    else if (!good) out += `%!${verb}(BADINDEX)`
    else if (argNum >= args.length) out += `%!${verb}(MISSING)`
    else {
      if (verb === 'v') {
        ;[f.sharpV, f.sharp] = [f.sharp, false]
        ;[f.plusV, f.plus] = [f.plus, false]
      }
      out += printArg(args[argNum++], verb, f)
    }
  }
  if (!reordered && argNum < args.length)
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((arg) => (arg === null || arg === undefined ? '<nil>' : `${typeName(arg)}=${printArg(arg, 'v', NO_FLAGS)}`))
      .join(', ')})`
  return out
}

/** Go's fmt.Stringer: a value with a String() method prints as what it returns. */
function stringerText(value: Value): string | undefined {
  const method = isRecord(value) ? (value as {String?: unknown}).String : undefined
  return typeof method === 'function' ? String(method.call(value)) : undefined
}

function printArg(arg: Value, verb: string, f: Flags, depth = 0): string {
  if (f === NO_FLAGS && verb === 'v' && (typeof arg === 'string' || isInt(arg))) return String(arg) // the common case
  if (arg === null || arg === undefined) {
    if (depth > 0) return f.sharpV ? 'interface {}(nil)' : '<nil>'
    return verb === 'v' || verb === 'T' ? pad('<nil>', f) : badVerb(verb, arg, f)
  }
  if (verb === 'T') return pad(typeName(arg), f)
  const text = stringerText(arg)
  if (text !== undefined && 'vsxXq'.includes(verb)) return formatString(text, verb, f)
  if (typeof arg === 'boolean') return verb === 't' || verb === 'v' ? pad(String(arg), f) : badVerb(verb, arg, f)
  if (typeof arg === 'number')
    return isInt(arg) && !'eEfFgG'.includes(verb) ? formatInteger(arg, verb, f) : formatFloatVerb(arg, verb, f)
  if (typeof arg === 'string') return formatString(arg, verb, f)
  if (Array.isArray(arg)) {
    const items = arg.map((item) => printArg(item, verb, f, depth + 1))
    return f.sharpV ? `[]interface {}{${items.join(', ')}}` : `[${items.join(' ')}]`
  }
  if (isRecord(arg)) {
    const entries = sortedKeys(arg).map(
      (key) => `${printArg(key, verb, f, depth + 1)}:${printArg(arg[key], verb, f, depth + 1)}`,
    )
    return f.sharpV ? `map[string]interface {}{${entries.join(', ')}}` : `map[${entries.join(' ')}]`
  }
  return badVerb(verb, arg, f)
}

function badVerb(verb: string, arg: Value, f: Flags): string {
  if (arg === null || arg === undefined) return `%!${verb}(<nil>)`
  return `%!${verb}(${typeName(arg)}=${printArg(arg, 'v', f)})`
}

/** Pads to the width, counted in characters (runes), with spaces, or zeros when the 0 flag asks. */
function pad(text: string, f: Flags): string {
  if (f.width === undefined) return text
  const missing = f.width - [...text].length
  if (missing <= 0) return text
  return f.minus ? text + ' '.repeat(missing) : (f.zero ? '0' : ' ').repeat(missing) + text
}

const padSpaces = (text: string, f: Flags) => pad(text, {...f, zero: false})

function formatInteger(value: number, verb: string, f: Flags): string {
  const base = {v: 10, d: 10, b: 2, o: 8, O: 8, x: 16, X: 16}[verb]
  if (verb === 'c') return padSpaces(String.fromCodePoint(isRune(value) ? value : 0xfffd), f)
  if (verb === 'q') {
    const rune = isRune(value) ? value : 0xfffd
    if (f.sharp && isPrint(rune) && rune !== 0x27) return padSpaces(`'${String.fromCodePoint(rune)}'`, f)
    return padSpaces(quoteWith(String.fromCodePoint(rune), "'", f.plus), f)
  }
  if (verb === 'U') {
    let text = `U+${Math.abs(value)
      .toString(16)
      .toUpperCase()
      .padStart(f.precision ?? 4, '0')}`
    if (value < 0) text = `U+-${text.slice(2)}` // Go prints the two's complement; negative runes are not runes
    if (f.sharp && isRune(value) && isPrint(value)) text += ` '${String.fromCodePoint(value)}'`
    return padSpaces(text, f)
  }
  if (base === undefined) return badVerb(verb, value, f)
  const negative = value < 0
  let digits = BigInt(Math.abs(value)).toString(base)
  if (verb === 'X') digits = digits.toUpperCase()
  if (f.precision !== undefined) {
    if (f.precision === 0 && value === 0) return ' '.repeat(f.width ?? 0)
    digits = digits.padStart(f.precision, '0')
  } else if (f.zero && f.width !== undefined) {
    digits = digits.padStart(f.width - (negative || f.plus || f.space ? 1 : 0), '0')
  }
  let prefix = ''
  if (f.sharp && base === 2) prefix = '0b'
  if (f.sharp && base === 8 && !digits.startsWith('0')) prefix = '0'
  if (f.sharp && base === 16) prefix = verb === 'X' ? '0X' : '0x'
  if (verb === 'O') prefix = '0o'
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : ''
  return padSpaces(sign + prefix + digits, f)
}

const isRune = (value: number) => value >= 0 && value <= 0x10ffff && !(value >= 0xd800 && value < 0xe000)

function formatFloatVerb(value: number, verb: string, f: Flags): string {
  let precision: number
  if (verb === 'v') [verb, precision] = ['g', -1]
  else if (verb === 'g' || verb === 'G') precision = -1
  else if ('eEfF'.includes(verb)) precision = 6
  else return badVerb(verb, value, f)
  let num = formatFloat(value, verb, f.precision ?? precision)
  if (num[0] !== '-' && num[0] !== '+') num = `+${num}`
  if (f.space && num[0] === '+' && !f.plus) num = ` ${num.slice(1)}`
  if (num.endsWith('Inf') || num.endsWith('NaN')) {
    if (num.endsWith('NaN') && !f.space && !f.plus) num = num.slice(1)
    return padSpaces(num, f)
  }
  if (f.plus || num[0] !== '+') {
    if (f.zero && !f.minus && f.width !== undefined && f.width > num.length)
      return num[0] + '0'.repeat(f.width - num.length) + num.slice(1)
    return pad(num, f)
  }
  return pad(num.slice(1), f)
}

/** Decimal digits of a positive number and where the point goes: value = 0.digits × 10^point. */
interface Decimal {
  digits: string
  point: number
}

/** Go's strconv.FormatFloat for the formats e, E, f, F, g, G; precision -1 is the shortest exact form. */
export function formatFloat(value: number, format: string, precision: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf'
  const sign = value < 0 || Object.is(value, -0) ? '-' : ''
  const lower = format.toLowerCase()
  let d: Decimal
  if (value === 0) d = {digits: '', point: 0}
  else if (precision < 0) d = shortest(Math.abs(value))
  else {
    const exact = exactDecimal(Math.abs(value))
    const keep = lower === 'e' ? precision + 1 : lower === 'f' ? exact.point + precision : Math.max(precision, 1)
    d = round(exact, keep)
  }
  const e = format === 'E' || format === 'G' ? 'E' : 'e'
  if (lower === 'e') return sign + fixedE(d, precision < 0 ? Math.max(d.digits.length - 1, 0) : precision, e)
  if (lower === 'f') return sign + fixedF(d, precision < 0 ? Math.max(d.digits.length - d.point, 0) : precision)
  let digits = precision < 0 ? d.digits.length : Math.max(precision, 1)
  let exponentAt = precision < 0 ? 6 : digits
  if (precision >= 0 && exponentAt > d.digits.length && d.digits.length >= d.point) exponentAt = d.digits.length
  const exponent = d.point - 1
  if (exponent < -4 || exponent >= exponentAt) return sign + fixedE(d, Math.min(digits, d.digits.length) - 1, e)
  if (digits > d.point) digits = d.digits.length
  return sign + fixedF(d, Math.max(digits - d.point, 0))
}

function fixedE(d: Decimal, precision: number, e: string): string {
  let out = d.digits[0] ?? '0'
  if (precision > 0) out += `.${d.digits.slice(1, precision + 1).padEnd(precision, '0')}`
  const exponent = d.digits.length === 0 ? 0 : d.point - 1
  return `${out}${e}${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
}

function fixedF(d: Decimal, precision: number): string {
  const whole = d.point > 0 ? d.digits.slice(0, d.point).padEnd(d.point, '0') : '0'
  if (precision <= 0) return whole
  let fraction = ''
  for (let i = 0; i < precision; i++) fraction += d.digits[d.point + i] ?? '0'
  return `${whole}.${fraction}`
}

/** The shortest digits that read back as the same float (what Go's and JS's shortest formatting agree on). */
function shortest(value: number): Decimal {
  const [mantissa, exponent] = value.toExponential().split('e')
  return {digits: mantissa.replace('.', '').replace(/0+$/, ''), point: Number(exponent) + 1}
}

/** Every decimal digit of the float's exact binary value. */
function exactDecimal(value: number): Decimal {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & ((1n << 52n) - 1n)
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n)
  const exponent = (biased === 0 ? 1 : biased) - 1075
  if (exponent >= 0) {
    const digits = (mantissa << BigInt(exponent)).toString()
    return {digits: digits.replace(/0+$/, ''), point: digits.length}
  }
  const digits = (mantissa * 5n ** BigInt(-exponent)).toString()
  return {digits: digits.replace(/0+$/, ''), point: digits.length + exponent}
}

/** Keeps `keep` digits, rounding half to even (the digits are exact, so a half is a true half). */
function round(d: Decimal, keep: number): Decimal {
  if (keep >= d.digits.length) return d
  if (keep < 0) return {digits: '', point: 0}
  const next = d.digits[keep]
  const up =
    next > '5' || (next === '5' && (keep + 1 < d.digits.length || (keep > 0 && Number(d.digits[keep - 1]) % 2 === 1)))
  let digits = d.digits.slice(0, keep)
  if (!up) return {digits: digits.replace(/0+$/, ''), point: digits.length === 0 ? 0 : d.point}
  let i = digits.length - 1
  while (i >= 0 && digits[i] === '9') i--
  if (i < 0) return {digits: '1', point: d.point + 1}
  digits = digits.slice(0, i) + String(Number(digits[i]) + 1)
  return {digits, point: d.point}
}

function formatString(text: string, verb: string, f: Flags): string {
  const cut = (s: string) => (f.precision === undefined ? s : [...s].slice(0, f.precision).join(''))
  if (verb === 's' || (verb === 'v' && !f.sharpV)) return pad(cut(text), f)
  if (verb === 'q' || verb === 'v') {
    const s = cut(text)
    if (f.sharp && canBackquote(s)) return pad(`\`${s}\``, f)
    return pad(quoteWith(s, '"', f.plus), f)
  }
  if (verb === 'x' || verb === 'X') {
    let bytes = [...utf8(text)]
    if (f.precision !== undefined) bytes = bytes.slice(0, f.precision)
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).map((h) => (verb === 'X' ? h.toUpperCase() : h))
    const prefix = f.sharp ? (verb === 'X' ? '0X' : '0x') : ''
    return pad(f.space ? hex.map((h) => prefix + h).join(' ') : prefix + hex.join(''), f)
  }
  return badVerb(verb, text, f)
}

/** Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(code: number): boolean {
  return code === 0x20 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(code))
}

function canBackquote(text: string): boolean {
  return [...text].every((char) => {
    const code = char.codePointAt(0) ?? 0
    return (code >= 0x20 || code === 0x09) && char !== '`' && code !== 0x7f && code !== 0xfeff
  })
}

/** Go's strconv.Quote (or QuoteToASCII), with `quote` as the delimiter (" for strings, ' for runes). */
function quoteWith(text: string, quote: string, asciiOnly = false): string {
  let out = quote
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (char === quote || char === '\\') out += `\\${char}`
    else if (isPrint(code) && (!asciiOnly || code < 0x80)) out += char
    else if (ESCAPES[char]) out += ESCAPES[char]
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += `\\U${code.toString(16).padStart(8, '0')}`
  }
  return out + quote
}

const ESCAPES: {[char: string]: string} = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
}

/** Go's strconv.Quote. */
export const quote = (text: string): string => quoteWith(text, '"')
