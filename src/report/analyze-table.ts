import type {Advice} from '../analysis/advice.js'
import type {AnalyzeReport} from '../analysis/analyze.js'
import {humanSize} from '../human-size.js'
import {counted} from './counted.js'
import {shortCommand} from '../image/created-by.js'
import {ellipsize} from './display-width.js'
import {fitColumns, plainTable, type TableOptions} from './plain-table.js'

/** A size, or '-' where a metadata-only report has none. */
export function size(bytes: number | null): string {
  return bytes === null ? '-' : humanSize(bytes)
}

export function count(value: number | null): string | number {
  return value === null ? '-' : value
}

/** A command on one line as dive shows it, cut to `width` characters unless `noTrunc`. */
export function truncate(text: string, width: number, noTrunc: boolean): string {
  const flat = shortCommand(text)
  return noTrunc ? flat : ellipsize(flat, width)
}

function shortId(id: string | null): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : '<none>'
}

/** Which image, from where: its short id, tags and platform, and the source it was read from. */
export function imageLine(report: AnalyzeReport): string {
  const {image} = report
  const tags = image.repoTags.length > 0 ? image.repoTags.join(', ') : '<none>'
  const platform = [image.os, image.architecture].filter(Boolean).join('/')
  return `${shortId(image.id)} ${tags}${platform ? ` (${platform})` : ''} from ${report.source.kind} ${report.source.name}`
}

/** The image's figures as labelled lines, for the table and markdown: total, final, wasted, dive's three. */
export function summaryLines(report: AnalyzeReport): Array<[string, string]> {
  const {summary} = report
  const lines: Array<[string, string]> = [
    [
      'Total',
      `${size(summary.totalBytes)}${report.approximate ? ' (approximate)' : ''} in ${counted(summary.layers, 'layer')}`,
    ],
  ]
  if (summary.finalBytes !== null && summary.wastedBytes !== null && summary.wastedPercent !== null) {
    lines.push(
      ['Final', `${humanSize(summary.finalBytes)} in ${counted(summary.finalFiles ?? 0, 'file')}`],
      ['Wasted', `${humanSize(summary.wastedBytes)} (${summary.wastedPercent.toFixed(2)}%)`],
    )
  }
  if (summary.dive) {
    const {dive} = summary
    lines.push([
      'dive',
      `efficiency ${(dive.efficiency * 100).toFixed(4)}%, inefficient ${humanSize(dive.inefficientBytes)}, user ` +
        `wasted ${(dive.userWastedPercent * 100).toFixed(2)}%`,
    ])
  }
  if (report.unavailable)
    lines.push(['Metadata only', 'file figures and waste need the layers (analyze the image or an archive of it)'])
  return lines
}

/** What --top left out of the largest waste, for the table and markdown: `… and 290 more; --top 0 for all`. */
export function moreWasted(report: AnalyzeReport): string | undefined {
  const more = (report.summary.wastedFiles ?? 0) - report.topWasted.length
  return more > 0 ? `… and ${more} more; --top 0 for all` : undefined
}

/** `analyze` as a table: docker history's columns, then where the bytes went. */
export function renderAnalyzeTable(report: AnalyzeReport, options: TableOptions = {}): string {
  const fit = (column: number) => fitColumns(options, column)
  const lines: string[] = [`Image: ${imageLine(report)}`, '']
  lines.push(
    plainTable(
      ['LAYER', 'CREATED BY', 'SIZE', 'ADDED', 'MODIFIED', 'REMOVED', 'WASTED'],
      report.layers.map((layer) => [
        layer.index,
        truncate(layer.createdBy ?? '', 45, options.noTrunc ?? false),
        size(layer.bytes),
        count(layer.added),
        count(layer.modified),
        count(layer.removed),
        size(layer.wastedBytes),
      ]),
      [0, 2, 3, 4, 5, 6],
      fit(1),
    ),
    '',
  )
  for (const [label, text] of summaryLines(report)) lines.push(`${`${label}:`.padEnd(7)} ${text}`)
  if (report.topWasted.length > 0) {
    lines.push(
      '',
      plainTable(
        ['WASTED', 'PATH', 'LAYER', 'HIDDEN BY', 'HOW'],
        report.topWasted.map((w) => [humanSize(w.bytes), w.path, w.layer, w.hiddenBy, w.how]),
        [0, 2, 3],
        fit(1),
      ),
    )
    const more = moreWasted(report)
    if (more) lines.push(more)
  }
  if (report.advice.length > 0) lines.push('', adviceTable(report.advice))
  return `${lines.join('\n')}\n`
}

/** The ADVICE section: each change with what it saves, its hadolint rule, how to make it and the paths it concerns. */
function adviceTable(advice: Advice[]): string {
  return plainTable(
    ['ADVICE', 'SAVES', 'HADOLINT', 'WHAT AND HOW'],
    advice.map((item) => [
      item.id,
      humanSize(item.bytes),
      item.ref ?? '-',
      [item.title, `fix: ${item.fix}`, item.paths.join(', ')].join('\n'),
    ]),
    [1],
  )
}
