import type {DiffReport} from '../analysis/diff.js'
import type {FinalEntry} from '../analysis/final-fs.js'
import {humanSize} from '../human-size.js'
import {plainTable} from './plain-table.js'
import type {View} from './render.js'

const FIELDS = ['change', 'path', 'fields', 'sizeA', 'sizeB', 'modeA', 'modeB']

/**
 * `diff`: rows are the paths that differ, flattened for CSV (fields joined by commas, each side's size and mode,
 * '' where a side has none). `names` are the images as the user named them.
 */
export function diffView(report: DiffReport, names: [string, string]): View {
  const items = report.files.map((f) => ({
    change: f.change,
    path: f.path,
    fields: f.fields.join(','),
    sizeA: f.before?.size ?? '',
    sizeB: f.after?.size ?? '',
    modeA: f.before?.mode ?? '',
    modeB: f.after?.mode ?? '',
  }))
  return {report, table: () => renderDiffTable(report, names), rows: {items, fields: FIELDS}}
}

function describe(entry: FinalEntry | null): string {
  if (!entry) return '-'
  const size = entry.type === 'file' ? humanSize(entry.size) : entry.type
  return `${size} ${entry.mode} ${entry.uid}:${entry.gid}${entry.linkTarget ? ` -> ${entry.linkTarget}` : ''}`
}

function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${humanSize(Math.abs(bytes))}`
}

const MARK = {added: '+', removed: '-', changed: '~'}

export function renderDiffTable(report: DiffReport, names: [string, string]): string {
  const {sharedLayers: shared, summary} = report
  const lines = [
    `A: ${names[0]} (${shared.layersA} layers)`,
    `B: ${names[1]} (${shared.layersB} layers)`,
    `Shared layers: ${shared.digests.length} (the first ${shared.commonBase} are a common base)`,
    `Final filesystem: ${humanSize(summary.bytesA)} -> ${humanSize(summary.bytesB)} ` +
      `(${signed(summary.deltaBytes)}); ${summary.added} added, ${summary.removed} removed, ${summary.changed} changed`,
    '',
  ]
  if (report.files.length > 0) {
    lines.push(
      plainTable(
        ['', 'PATH', 'A', 'B', 'WHAT'],
        report.files.map((f) => [
          MARK[f.change],
          `/${f.path}`,
          describe(f.before),
          describe(f.after),
          f.fields.join(','),
        ]),
      ),
      '',
    )
  }
  if (report.directories.length > 0) {
    lines.push(
      plainTable(
        ['DELTA', 'A', 'B', 'DIRECTORY'],
        report.directories.map((d) => [signed(d.delta), humanSize(d.before), humanSize(d.after), `/${d.path}`]),
        [0, 1, 2],
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
