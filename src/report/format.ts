import {Flags} from '@oclif/core'

export const FORMATS = ['table', 'json', 'csv'] as const
export type Format = (typeof FORMATS)[number]

/** The --format flag, defined once for every command that reports. */
export const formatFlag = Flags.string({
  char: 'f',
  description: 'output format',
  options: [...FORMATS],
  default: 'table',
})

/** Pretty JSON with a trailing newline, the one JSON writer of every report. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
