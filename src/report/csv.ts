import {Parser} from '@json2csv/plainjs'

/** Rows as CSV with a header of the given field names (the JSON names), one reporter for every command. */
export function toCsv(rows: object[], fields: string[]): string {
  return `${new Parser({fields, eol: '\n'}).parse(rows)}\n`
}
