import {InputError} from '../errors.js'
import {toCsv} from './csv.js'
import {toJson, toJsonLines} from './format.js'
import {isTemplate, renderTemplate} from './template.js'

/**
 * A report as the renderer takes it: the report itself (its JSON), the way people read it, and, for reports that
 * list rows, the rows that CSV and Go templates show. Each report's view is built next to its table renderer.
 */
export interface View {
  /** The report as its schema in docs/schemas describes it: `--format json`. */
  report: object
  /** `--format table`: the report for people. */
  table: () => string
  /** The rows of `--format csv` (with CSV's columns, in order), `--format jsonl` and Go templates. */
  rows?: {items: object[]; fields: string[]}
  /** Formats of this report alone, by name (check's junit and markdown). */
  formats?: Record<string, () => string>
}

/** The one place a report becomes text: table, json, jsonl, csv, a Go template, or a format of the view's own. */
export function render(format: string, view: View): string {
  const own = view.formats?.[format]
  if (own) return own()
  if (format === 'json') return toJson(view.report)
  if (format === 'table') return view.table()
  if (view.rows && format === 'jsonl') return toJsonLines(view.rows.items)
  if (view.rows && format === 'csv') return toCsv(view.rows.items, view.rows.fields)
  if (view.rows && isTemplate(format)) return renderTemplate(format, view.rows.items)
  throw new InputError(`--format ${format}: not a format of this report`)
}
