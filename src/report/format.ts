import {Flags} from '@oclif/core'

import {InputError} from '../errors.js'

export const FORMATS = ['table', 'json', 'jsonl', 'csv'] as const

/** What a format's name does not say. */
const SAID: Record<string, string> = {json: 'one document', jsonl: 'a row a line'}

/**
 * The --format flag of a report that lists rows: a named format or a Go template; `own` names formats of this report
 * alone (analyze's markdown and html).
 */
export function formatFlagWith(own: readonly string[]) {
  const names = [...FORMATS, ...own]
  const described = names.map((name) => (name in SAID ? `${name} (${SAID[name]})` : name))
  return Flags.string({
    char: 'f',
    description: `output format: ${described.join(', ')}, or a Go template as docker takes ('{{.Field}}', 'table {{.A}}\\t{{.B}}')`,
    default: 'table',
    parse: async (value) => {
      if (names.includes(value) || value.includes('{{')) return value
      throw new InputError(`Expected --format=${value} to be one of: ${names.join(', ')}, or a Go template`)
    },
  })
}

/** The --format flag, defined once for every command that reports rows. */
export const formatFlag = formatFlagWith([])

/** Pretty JSON with a trailing newline, the one JSON writer of every report. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** JSON Lines: a row a line, for streams of records. */
export function toJsonLines(rows: readonly object[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('')
}
