import type {WasteReport} from '../analysis/waste.js'
import {humanSize} from '../human-size.js'
import {counted} from './counted.js'
import {shortCommand} from '../image/created-by.js'
import {ellipsize} from './display-width.js'
import {plainTable} from './plain-table.js'
import type {View} from './render.js'

const FIELDS = ['path', 'bytes', 'layer', 'createdBy', 'hiddenBy', 'hiddenByCreatedBy', 'how']

/** `waste`: rows are the waste records. */
export function wasteView(report: WasteReport): View {
  return {report, table: () => renderWasteTable(report), rows: {items: report.waste, fields: FIELDS}}
}

function command(text: string | null): string {
  if (!text) return ''
  return ` (${ellipsize(shortCommand(text), 50)})`
}

/** Waste grouped by the pair of layers, with totals: "layer 3 (COPY …) hidden by layer 4 (RUN rm …)". */
export function renderWasteTable(report: WasteReport): string {
  const lines: string[] = []
  const groups = new Map<string, WasteReport['waste']>()
  for (const record of report.waste) {
    const key = `${record.layer}:${record.hiddenBy}`
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key)!.push(record)
  }
  for (const records of groups.values()) {
    const [first] = records
    const bytes = records.reduce((sum, r) => sum + r.bytes, 0)
    lines.push(
      `Layer ${first.layer}${command(first.createdBy)} stores ${humanSize(bytes)} in ${counted(records.length, 'file')} ` +
        `that layer ${first.hiddenBy}${command(first.hiddenByCreatedBy)} hides:`,
      plainTable(
        ['', 'SIZE', 'HOW', 'PATH'],
        records.map((r) => ['', humanSize(r.bytes), r.how, r.path]),
        [1],
      )
        .split('\n')
        .slice(1)
        .join('\n'),
      '',
    )
  }
  lines.push(
    report.waste.length === 0
      ? 'No waste: every stored byte is visible in the final filesystem.'
      : `Total wasted: ${humanSize(report.wastedBytes)} (${report.wastedBytes} bytes) in ${counted(report.waste.length, 'file')}`,
  )
  if (report.duplicates) {
    lines.push('')
    if (report.duplicates.length === 0) {
      lines.push('No content is stored twice.')
    } else {
      const cost = report.duplicates.reduce((sum, g) => sum + g.costBytes, 0)
      lines.push(
        `Identical content stored more than once (${humanSize(cost)} beyond the first copies):`,
        plainTable(
          ['COST', 'SIZE', 'COPIES', 'DIGEST', 'PATHS'],
          report.duplicates.map((g) => [
            humanSize(g.costBytes),
            humanSize(g.bytes),
            g.copies.length,
            g.digest.slice(7, 19),
            g.copies.map((c) => `${c.path}@${c.layer}${c.visible ? '' : ' (hidden)'}`).join(', '),
          ]),
          [0, 1, 2],
        ),
      )
    }
  }
  return `${lines.join('\n')}\n`
}
