import {Flags} from '@oclif/core'

import {InputError} from '../errors.js'

export const FORMATS = ['table', 'json', 'csv'] as const

/**
 * The --format flag of a report that lists rows: a named format or a Go template; `own` names formats of this report
 * alone (analyze's markdown and html).
 */
export function formatFlagWith(own: readonly string[]) {
  const names = [...FORMATS, ...own]
  return Flags.string({
    char: 'f',
    description: `output format: ${names.join(', ')}, or a Go template as docker takes ('{{.Field}}', 'table {{.A}}\\t{{.B}}')`,
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
