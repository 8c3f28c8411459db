import {Flags} from '@oclif/core'

export const FORMATS = ['table', 'json', 'csv'] as const

/** The --format flag, defined once for every command that reports rows: a named format or a Go template. */
export const formatFlag = Flags.string({
  char: 'f',
  description:
    "output format: table, json, csv, or a Go template as docker takes ('{{.Field}}', 'table {{.A}}\\t{{.B}}')",
  default: 'table',
  parse: async (value) => {
    if ((FORMATS as readonly string[]).includes(value) || value.includes('{{')) return value
    throw new Error(`Expected --format=${value} to be one of: ${FORMATS.join(', ')}, or a Go template`)
  },
})

/** Pretty JSON with a trailing newline, the one JSON writer of every report. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
