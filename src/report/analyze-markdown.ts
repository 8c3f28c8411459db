import type {AnalyzeReport} from '../analysis/analyze.js'
import {humanSize} from '../human-size.js'
import {count, imageLine, moreWasted, size, summaryLines, truncate} from './analyze-table.js'
import {cell, code} from './markdown.js'

function table(head: string[], align: string[], rows: Array<Array<string | number>>): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${row.map((value) => String(value)).join(' | ')} |`),
  ]
}

/**
 * `analyze --format markdown`, for a pull-request comment or $GITHUB_STEP_SUMMARY: the figures, the layers, the
 * largest waste and the advice.
 */
export function renderAnalyzeMarkdown(report: AnalyzeReport, options: {noTrunc?: boolean} = {}): string {
  const lines = [`### docker-layers analyze: ${cell(imageLine(report))}`, '']
  for (const [label, text] of summaryLines(report)) lines.push(`- **${label}**: ${cell(text)}`)
  lines.push(
    '',
    ...table(
      ['layer', 'created by', 'size', 'added', 'modified', 'removed', 'wasted'],
      ['---:', '---', '---:', '---:', '---:', '---:', '---:'],
      report.layers.map((layer) => [
        layer.index,
        layer.createdBy ? code(truncate(layer.createdBy, 60, options.noTrunc ?? false)) : '',
        size(layer.bytes),
        count(layer.added),
        count(layer.modified),
        count(layer.removed),
        size(layer.wastedBytes),
      ]),
    ),
  )
  if (report.topWasted.length > 0) {
    lines.push(
      '',
      '#### Largest waste',
      '',
      ...table(
        ['wasted', 'path', 'layer', 'hidden by', 'how'],
        ['---:', '---', '---:', '---:', '---'],
        report.topWasted.map((w) => [humanSize(w.bytes), code(w.path), w.layer, w.hiddenBy, w.how]),
      ),
    )
    const more = moreWasted(report)
    if (more) lines.push('', cell(more))
  }
  if (report.advice.length > 0) {
    lines.push(
      '',
      '#### Advice',
      '',
      ...table(
        ['saves', 'advice', 'fix', 'hadolint'],
        ['---:', '---', '---', '---'],
        report.advice.map((item) => [
          humanSize(item.bytes),
          `**${item.id}**: ${cell(item.title)} (${item.paths.map(code).join(', ')})`,
          cell(item.fix),
          item.ref ?? '',
        ]),
      ),
    )
  }
  return `${lines.join('\n')}\n`
}
