import type {WasteRecord, WasteReport} from '../analysis/waste.js'
import {humanSize} from '../human-size.js'
import {counted} from './counted.js'
import {shortCommand} from '../image/created-by.js'
import {displayWidth, ellipsize} from './display-width.js'
import {fitColumns, fitWidth, plainTable, type TableOptions} from './plain-table.js'
import type {View} from './render.js'

const FIELDS = ['path', 'bytes', 'layer', 'createdBy', 'hiddenBy', 'hiddenByCreatedBy', 'how']

/** `waste`: rows are the waste records. */
export function wasteView(report: WasteReport, options: TableOptions = {}): View {
  return {report, table: () => renderWasteTable(report, options), rows: {items: report.waste, fields: FIELDS}}
}

/** The most columns a command takes in a group's heading (fewer when the heading is fitted to a terminal). */
const HEADING_COMMAND = 50

/** A group's heading: `Layer 3 (COPY …) stores 32.5kB in 5 files that layer 5 (RUN chown …) hides:`. */
function heading(record: WasteRecord, bytes: number, files: number, options: TableOptions): string {
  const commands = [record.createdBy, record.hiddenByCreatedBy].map((text) => (text ? shortCommand(text) : ''))
  const said = (texts: string[]) =>
    `Layer ${record.layer}${texts[0] && ` (${texts[0]})`} stores ${humanSize(bytes)} in ${counted(files, 'file')} ` +
    `that layer ${record.hiddenBy}${texts[1] && ` (${texts[1]})`} hides:`
  const room = commandRoom(commands, options, displayWidth(said(['', ''])))
  return said(commands.map((text, i) => ellipsize(text, room[i])))
}

/**
 * The columns each command of a heading may take: whole with --no-trunc, else up to HEADING_COMMAND; fitted to a
 * width, they share what the rest of the line leaves (3 columns each for ` (` and `)`), the shorter whole when it
 * fits in half, the longer the remainder, neither below 10.
 */
function commandRoom(commands: string[], options: TableOptions, rest: number): number[] {
  if (options.noTrunc) return commands.map((text) => displayWidth(text))
  const wanted = commands.map((text) => Math.min(displayWidth(text), HEADING_COMMAND))
  const width = fitWidth(options)
  const free = width === undefined ? Infinity : width - rest - 3 * wanted.filter((w) => w > 0).length
  if (wanted[0] + wanted[1] <= free) return wanted
  const shorter = wanted[0] <= wanted[1] ? 0 : 1
  const room = [0, 0]
  room[shorter] = Math.min(wanted[shorter], Math.floor(free / 2))
  room[1 - shorter] = free - room[shorter]
  return room.map((r, i) => Math.max(10, Math.min(r, wanted[i])))
}

/** Waste grouped by the pair of layers, with totals: "layer 3 (COPY …) hidden by layer 4 (RUN rm …)". */
export function renderWasteTable(report: WasteReport, options: TableOptions = {}): string {
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
      heading(first, bytes, records.length, options),
      plainTable(
        ['', 'SIZE', 'HOW', 'PATH'],
        records.map((r) => ['', humanSize(r.bytes), r.how, r.path]),
        [1],
        fitColumns(options, 3),
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
          fitColumns(options, 4),
        ),
      )
    }
  }
  return `${lines.join('\n')}\n`
}
