const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']

/** Go's `%.{precision}g`: significant digits, trailing zeros dropped, exponent form when Go uses it. */
function goG(value: number, precision: number): string {
  if (value === 0) return '0'
  const exponent = Number(value.toExponential(precision - 1).split('e')[1])
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, exp] = value.toExponential(precision - 1).split('e')
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa
    const sign = exp.startsWith('-') ? '-' : '+'
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0')
    return `${trimmed}e${sign}${digits}`
  }
  const fixed = value.toFixed(Math.max(0, precision - 1 - exponent))
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed
}

/** Docker's human sizes (go-units HumanSizeWithPrecision, 3 digits, decimal units): 5242880 → "5.24MB". */
export function humanSize(bytes: number): string {
  let size = bytes
  let unit = 0
  while (size >= 1000 && unit < UNITS.length - 1) {
    size /= 1000
    unit++
  }
  return `${goG(size, 3)}${UNITS[unit]}`
}

const PARSE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  p: 1e15,
  pb: 1e15,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  pib: 1024 ** 5,
}

/**
 * Parses a size as docker and dive write them: `20MB`, `20Mb`, `512KiB`, `1B`, `1.5 GB`, `300`. Decimal
 * units are powers of 1000 and binary (`KiB`) of 1024; case does not matter. Undefined when unreadable.
 */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (!m) return undefined
  const factor = m[2] === '' ? 1 : PARSE_UNITS[m[2].toLowerCase()]
  if (factor === undefined) return undefined
  return Math.round(Number(m[1]) * factor)
}
