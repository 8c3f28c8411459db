/**
 * The values templates see, with Go's view of them. Rows are JSON-shaped: strings, numbers (an integral
 * number is an int, any other a float64: JSON carries no finer type), booleans, null (Go's nil), arrays (Go
 * slices) and objects. An object is a struct to field access (`.Name` must exist, matched ignoring case, as
 * the report's JSON names are) and a map to `index`, `len` and `range` (keys in sorted order).
 */

export type Value = unknown

export type Record = {[key: string]: Value}

export function isRecord(value: Value): value is Record {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Whether a number is an int: integral and exact (beyond 2^53 a JSON number is only a float). */
export function isInt(value: Value): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value)
}

/** Go's name for the value's type, as its messages give it. */
export function typeName(value: Value): string {
  if (value === null || value === undefined) return '<nil>'
  if (typeof value === 'number') return isInt(value) ? 'int' : 'float64'
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value === 'string' ? 'string' : 'bool'
  if (Array.isArray(value)) return '[]interface {}'
  return 'map[string]interface {}'
}

/** Go's truth of a value (if, with, and, or, not): false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(value: Value): boolean {
  if (value === null || value === undefined) return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return true // a struct
  return Boolean(value)
}

/** The key each name last resolved to ignoring case: rows share their keys, so it is nearly always right. */
const resolved = new Map<string, string>()

/** The key of `record` that `name` names: the same, else the same ignoring case. */
export function keyOf(record: Record, name: string): string | undefined {
  if (Object.hasOwn(record, name)) return name
  const known = resolved.get(name)
  if (known !== undefined && Object.hasOwn(record, known)) return known
  const lower = name.toLowerCase()
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower)
  if (key !== undefined) resolved.set(name, key)
  return key
}

/** A field that does not exist: the command layer names it and lists those that do. */
export class NoFieldError extends Error {
  constructor(
    readonly field: string,
    readonly fields: string[],
  ) {
    super(`no field ${field} (fields: ${fields.join(', ')})`)
  }
}

/** `.name` of a value, as Go evaluates a field. */
export function fieldOf(receiver: Value, name: string): Value {
  if (isRecord(receiver)) {
    const key = keyOf(receiver, name)
    if (key === undefined) throw new NoFieldError(name, Object.keys(receiver))
    return receiver[key]
  }
  if (receiver === null || receiver === undefined) throw new Error(`nil pointer evaluating interface {}.${name}`)
  throw new Error(`can't evaluate field ${name} in type ${typeName(receiver)}`)
}

/** A record's keys in Go's map order (sorted). */
export function sortedKeys(record: Record): string[] {
  return Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Bytes of a string as Go counts and slices them (UTF-8). */
export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}
