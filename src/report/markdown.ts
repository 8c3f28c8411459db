// Markdown's escapes, for the reports written for pull-request comments and $GITHUB_STEP_SUMMARY.

/** Text in a table cell, shown as it is: inline marks escaped, pipes (which end a cell) too, on one line. */
export function cell(text: string): string {
  return text.replaceAll(/[\\`*_[\]<>~|]/g, '\\$&').replaceAll('\n', ' ')
}

/** Text as inline code, in a table cell: fenced with more backticks than it holds in a row. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  // in a GFM table cell, a pipe ends the cell even inside a code span unless escaped
  return `${fence}${pad}${text.replaceAll('|', '\\|').replaceAll('\n', ' ')}${pad}${fence}`
}
