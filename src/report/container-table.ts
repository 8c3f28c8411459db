import type {ContainerReport} from '../analysis/container.js'
import {humanSize} from '../human-size.js'
import {plainTable} from './plain-table.js'
import type {View} from './render.js'

const FIELDS = ['change', 'path', 'type', 'bytes', 'shadowedBytes', 'temporary']

/** `container`: rows are the changes. */
export function containerView(report: ContainerReport): View {
  return {report, table: () => renderContainerTable(report), rows: {items: report.changes, fields: FIELDS}}
}

export function renderContainerTable(report: ContainerReport): string {
  const {summary, container} = report
  const lines = [
    `Container ${container.name} (${container.id.slice(0, 12)}, ${container.state}) from ${container.image}`,
    '',
  ]
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
