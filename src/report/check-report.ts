import type {CheckConfigReport} from '../check/config.js'
import type {CheckReport} from '../check/rules.js'
import {counted} from './counted.js'
import {cell} from './markdown.js'
import {plainTable} from './plain-table.js'
import type {View} from './render.js'

/** `check`: a table (the rules in force; `all` adds those that are off), JSON, JUnit XML or markdown. */
export function checkView(report: CheckReport, options: {all?: boolean} = {}): View {
  return {
    report,
    table: () => renderCheckTable(report, options.all ?? false),
    formats: {junit: () => renderJunit(report), markdown: () => renderMarkdown(report)},
  }
}

/** `check --print-config`: the effective rules and where each came from. */
export function configView(report: CheckConfigReport): View {
  return {
    report,
    table: () =>
      `${report.config ? `Config: ${report.config}` : 'Config: none found (defaults and flags only)'}\n\n${plainTable(
        ['RULE', 'VALUE', 'FROM'],
        report.rules.map((r) => [r.rule, Array.isArray(r.value) ? r.value.join(', ') : r.value, r.from]),
      )}\n`,
  }
}

const STATUS = {pass: 'PASS', fail: 'FAIL', off: 'off'}

function counts(report: CheckReport): {tests: number; failures: number; skipped: number} {
  const all = report.images.flatMap((image) => image.rules)
  return {
    tests: all.length,
    failures: all.filter((r) => r.status === 'fail').length,
    skipped: all.filter((r) => r.status === 'off').length,
  }
}

export function renderCheckTable(report: CheckReport, all: boolean): string {
  const blocks = report.images.map((image) => {
    const failed = image.rules.filter((r) => r.status === 'fail').length
    const active = image.rules.filter((r) => r.status !== 'off').length
    return [
      `Image: ${image.source}${image.repoTags.length > 0 ? ` (${image.repoTags.join(', ')})` : ''}`,
      '',
      plainTable(
        ['RULE', 'STATUS', 'VALUE', 'THRESHOLD', 'FROM'],
        image.rules
          .filter((r) => all || r.status !== 'off')
          .map((r) => [r.rule, STATUS[r.status], r.valueText, r.thresholdText, r.from]),
      ),
      '',
      `Result: ${image.passed ? 'PASS' : 'FAIL'} (${active === 0 ? 'no rule in force' : `${failed} of ${counted(active, 'rule')} failed`})`,
    ].join('\n')
  })
  return `${blocks.join('\n\n')}\n`
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

/** JUnit XML: a testsuite per image, a testcase per rule, failures as <failure>, rules off as <skipped>. */
export function renderJunit(report: CheckReport): string {
  const total = counts(report)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="docker-layers check" tests="${total.tests}" failures="${total.failures}" skipped="${total.skipped}">`,
  ]
  for (const image of report.images) {
    const failures = image.rules.filter((r) => r.status === 'fail').length
    const skipped = image.rules.filter((r) => r.status === 'off').length
    lines.push(
      `  <testsuite name="${xml(image.source)}" tests="${image.rules.length}" failures="${failures}" skipped="${skipped}">`,
    )
    for (const rule of image.rules) {
      const open = `    <testcase classname="docker-layers.check" name="${rule.rule}">`
      if (rule.status === 'fail')
        lines.push(
          open,
          `      <failure message="${xml(rule.message)}">${xml(`${rule.rule}: ${rule.message} (threshold from ${rule.from})`)}</failure>`,
          '    </testcase>',
        )
      else if (rule.status === 'off') lines.push(open, '      <skipped message="off"/>', '    </testcase>')
      else lines.push(`    <testcase classname="docker-layers.check" name="${rule.rule}"/>`)
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}

/** Markdown for pull-request comments and $GITHUB_STEP_SUMMARY. Rules that are off are left out. */
export function renderMarkdown(report: CheckReport): string {
  const lines = [`### docker-layers check: ${report.passed ? '✅ passed' : '❌ failed'}`, '']
  for (const image of report.images) {
    const tags = image.repoTags.length > 0 ? ` (${image.repoTags.map((t) => `\`${t}\``).join(', ')})` : ''
    lines.push(`**${cell(image.source)}**${tags}: ${image.passed ? 'passed' : 'failed'}`, '')
    lines.push('| rule | status | value | threshold | from |', '| --- | --- | --- | --- | --- |')
    for (const rule of image.rules.filter((r) => r.status !== 'off')) {
      lines.push(
        `| ${rule.rule} | ${rule.status === 'fail' ? '❌ fail' : '✅ pass'} | ${cell(rule.valueText)} ` +
          `| ${cell(rule.thresholdText)} | ${cell(rule.from)} |`,
      )
    }
    lines.push('')
  }
  return lines.join('\n')
}
