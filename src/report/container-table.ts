import type {ContainerReport} from '../analysis/container.js'
import {humanSize} from '../human-size.js'
import {plainTable} from './plain-table.js'

export function renderContainerTable(report: ContainerReport, title: string): string {
  const {summary} = report
  const lines = [title, '']
  if (report.changes.length === 0) {
    lines.push('No changes: committing would add an empty layer.')
    return `${lines.join('\n')}\n`
  }
  lines.push(
    plainTable(
      ['', 'SIZE', 'SHADOWS', 'PATH', 'NOTE'],
      report.changes.map((c) => [
        c.change,
        c.change === 'D' || c.type !== 'file' ? '-' : humanSize(c.bytes),
        c.shadowedBytes > 0 ? humanSize(c.shadowedBytes) : '-',
        c.path,
        c.temporary ?? '',
      ]),
      [1, 2],
    ),
    '',
    `Changes: ${summary.added} added, ${summary.changed} changed, ${summary.deleted} deleted`,
    `docker commit would add a layer of ${humanSize(summary.commitBytes)} (${summary.commitFiles} files)`,
    `and leave ${humanSize(summary.shadowedBytes)} of the image's bytes stored but hidden (waste the commit adds)`,
  )
  if (summary.temporaryFiles > 0)
    lines.push(
      `Temporary artifacts: ${humanSize(summary.temporaryBytes)} in ${summary.temporaryFiles} files; remove them before committing`,
    )
  return `${lines.join('\n')}\n`
}
