import {displayWidth} from '../report/display-width.js'

/**
 * docker's tabwriter (a copy of Go's text/tabwriter, the elastic tabstops algorithm) as the `table` directive
 * uses it: a cell ends at a tab, and the tab-ended cells of consecutive lines that have them form a column,
 * padded to its widest cell plus `padding` spaces (at least `minWidth`). The text after a line's last tab is
 * not in a column and is not padded. Widths are display widths (a CJK character counts 2), as docker's are.
 */
export function tabwrite(text: string, {minWidth, padding}: {minWidth: number; padding: number}): string {
  const lines = text.split('\n').map((line) => line.split('\t'))
  const cellWidths = lines.map((cells) => cells.map(displayWidth))
  const out: string[] = []
  const write = (from: number, to: number, widths: number[]) => {
    for (let row = from; row < to; row++)
      out.push(
        lines[row]
          .map((cell, j) => (j < widths.length ? cell + ' '.repeat(widths[j] - cellWidths[row][j]) : cell))
          .join(''),
      )
  }
  /** Lays out lines [from, to) whose columns left of `widths.length` have those widths. */
  const format = (from: number, to: number, widths: number[]) => {
    const column = widths.length
    for (let row = from; row < to; row++) {
      if (column >= lines[row].length - 1) continue
      write(from, row, widths)
      from = row
      let width = minWidth
      for (; row < to && column < lines[row].length - 1; row++)
        width = Math.max(width, cellWidths[row][column] + padding)
      format(from, row, [...widths, width])
      from = row
    }
    write(from, to, widths)
  }
  format(0, lines.length, [])
  return out.join('\n')
}
