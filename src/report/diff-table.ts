import type {DiffReport} from '../analysis/diff.js'
import type {FinalEntry} from '../analysis/final-fs.js'
import {humanSize} from '../human-size.js'
import {counted} from './counted.js'
import {fitColumns, plainTable, type TableOptions} from './plain-table.js'
import type {View} from './render.js'

const FIELDS = ['change', 'path', 'fields', 'bytesA', 'bytesB', 'modeA', 'modeB']

/**
 * `diff`: rows are the paths that differ, flattened for CSV (fields joined by commas, each side's bytes and mode,
 * '' where a side has none). `names` are the images as the user named them.
 */
export function diffView(report: DiffReport, names: [string, string], options: TableOptions = {}): View {
  const items = report.files.map((f) => ({
    change: f.change,
    path: f.path,
    fields: f.fields.join(','),
    bytesA: f.before?.bytes ?? '',
    bytesB: f.after?.bytes ?? '',
    modeA: f.before?.mode ?? '',
    modeB: f.after?.mode ?? '',
  }))
  return {report, table: () => renderDiffTable(report, names, options), rows: {items, fields: FIELDS}}
}

function describe(entry: FinalEntry | null): string {
  if (!entry) return '-'
  const size = entry.type === 'file' ? humanSize(entry.bytes) : entry.type
  return `${size} ${entry.mode} ${entry.uid}:${entry.gid}${entry.linkTarget ? ` -> ${entry.linkTarget}` : ''}`
}

function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${humanSize(Math.abs(bytes))}`
}

/** How many layers the images share, and how many of them, from the bottom, are a common base. */
function sharedLine(shared: DiffReport['sharedLayers']): string {
  if (shared.digests.length === 0) return 'Shared layers: none'
  const base =
    shared.commonBase === 0
      ? ''
      : shared.commonBase === 1
        ? ' (the first is a common base)'
        : ` (the first ${shared.commonBase} are a common base)`
  return `Shared layers: ${shared.digests.length}${base}`
}

const MARK = {added: '+', removed: '-', changed: '~'}

export function renderDiffTable(report: DiffReport, names: [string, string], options: TableOptions = {}): string {
  const {sharedLayers: shared, summary} = report
  const lines = [
    `A: ${names[0]} (${counted(shared.layersA, 'layer')})`,
    `B: ${names[1]} (${counted(shared.layersB, 'layer')})`,
    sharedLine(shared),
    `Final filesystem: ${humanSize(summary.bytesA)} -> ${humanSize(summary.bytesB)} ` +
      `(${signed(summary.deltaBytes)}); ${summary.added} added, ${summary.removed} removed, ${summary.changed} changed`,
    '',
  ]
  if (report.files.length > 0) {
    lines.push(
      plainTable(
        ['', 'PATH', 'A', 'B', 'WHAT'],
        report.files.map((f) => [MARK[f.change], f.path, describe(f.before), describe(f.after), f.fields.join(',')]),
        [],
        fitColumns(options, 1, 2, 3),
      ),
      '',
    )
  }
  if (report.directories.length > 0) {
    lines.push(
      plainTable(
        ['DELTA', 'A', 'B', 'DIRECTORY'],
        report.directories.map((d) => [signed(d.delta), humanSize(d.before), humanSize(d.after), d.path]),
        [0, 1, 2],
        fitColumns(options, 3),
      ),
      '',
    )
  }
  if (report.config.length > 0) {
    lines.push(
      plainTable(
        ['CONFIG', 'A', 'B'],
        report.config.map((c) => [c.key, JSON.stringify(c.before), JSON.stringify(c.after)]),
      ),
      '',
    )
  }
  if (report.files.length === 0 && report.config.length === 0)
    lines.push('The final filesystems and configs are the same.', '')
  return lines.join('\n')
}
