import {InputError} from '../errors.js'

/**
 * docker's `--format` Go-template conventions for row listings, the subset people use: `{{.Field}}`,
 * `{{json .Field}}`, `{{json .}}`, `\t` and `\n`, and a leading `table` for a header row and aligned
 * columns. Field names are the JSON names, matched without regard to case (`{{.CreatedBy}}`).
 */
export function renderTemplate(template: string, rows: object[]): string {
  const table = /^table\s/.test(template)
  const body = (table ? template.replace(/^table\s+/, '') : template).replaceAll('\\t', '\t').replaceAll('\\n', '\n')
  const pattern = /{{\s*(json\s+)?\.(\w*)\s*}}/g
  const leftover = body.replaceAll(pattern, '')
  if (leftover.includes('{{'))
    throw new InputError(
      `--format: unsupported template ${JSON.stringify(template)} (use {{.Field}}, {{json .Field}} or {{json .}})`,
    )
  const fieldOf = (row: object, name: string): unknown => {
    if (name === '') return row
    const key = Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase())
    if (key === undefined) throw new InputError(`--format: no field ${name} (fields: ${Object.keys(row).join(', ')})`)
    return (row as Record<string, unknown>)[key]
  }
  const render = (row: object) =>
    body.replaceAll(pattern, (_match, json: string | undefined, name: string) => {
      const value = fieldOf(row, name)
      return json || typeof value === 'object' ? JSON.stringify(value) : String(value ?? '')
    })
  const lines = rows.map(render)
  if (!table) return lines.length > 0 ? `${lines.join('\n')}\n` : ''
  const header = body.replaceAll(pattern, (_match, _json, name: string) =>
    name === '' ? 'VALUE' : name.replaceAll(/([a-z])([A-Z])/g, '$1 $2').toUpperCase(),
  )
  const cells = [header, ...lines].map((line) => line.split('\t'))
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)))
  return `${cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')}\n`
}

/** Whether a --format value is a template rather than a named format. */
export function isTemplate(format: string): boolean {
  return format.includes('{{')
}
