import Table from 'cli-table3'

import {displayWidth, ellipsize} from './display-width.js'

const PLAIN = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '   ',
  },
  style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
}

const GUTTER = PLAIN.chars.middle.length

/** A cut column keeps at least its heading's width, and never fewer than this many characters. */
const NARROWEST = 10

/**
 * What a table to fit in `width` columns may cut: the `columns` that hold free text (a command, a path), widest
 * first, each down to its heading or NARROWEST. When they are cut that far the table is as narrow as it gets.
 */
export interface Fit {
  width: number
  columns: number[]
}

/** How a command's tables meet the terminal. */
export interface TableOptions {
  /** --no-trunc: commands and paths whole, tables as wide as they need. */
  noTrunc?: boolean
  /** The terminal's width (see terminal-width.ts): free-text columns are cut to fit it; undefined: not fitted. */
  width?: number
}

/** The width to fit, unless the tables are not fitted (no width known, or --no-trunc). */
export function fitWidth(options: TableOptions): number | undefined {
  return options.noTrunc ? undefined : options.width
}

/** What a table may cut to fit, when it is fitted: the free-text `columns`. */
export function fitColumns(options: TableOptions, ...columns: number[]): Fit | undefined {
  const width = fitWidth(options)
  return width === undefined ? undefined : {width, columns}
}

function fitted(head: string[], rows: string[][], fit: Fit): string[][] {
  // cli-table3 gives an empty column one column
  const widths = head.map((heading, i) =>
    Math.max(1, displayWidth(heading), ...rows.map((row) => displayWidth(row[i]))),
  )
  let excess = widths.reduce((sum, w) => sum + w, 0) + GUTTER * (head.length - 1) - fit.width
  for (const i of [...fit.columns].sort((a, b) => widths[b] - widths[a])) {
    if (excess <= 0) break
    const cut = Math.min(excess, widths[i] - Math.max(displayWidth(head[i]), NARROWEST))
    if (cut <= 0) continue
    widths[i] -= cut
    excess -= cut
  }
  return rows.map((row) => row.map((cell, i) => (fit.columns.includes(i) ? ellipsize(cell, widths[i]) : cell)))
}

/**
 * A borderless table in the docker CLI's style (upper-case headings, three-space gutters); with `fit`, its free-text
 * columns cut with an ellipsis so that it fits the terminal.
 */
export function plainTable(
  head: string[],
  rows: Array<Array<string | number>>,
  rightAligned: number[] = [],
  fit?: Fit,
): string {
  const table = new Table({
    head,
    ...PLAIN,
    colAligns: head.map((_, i) => (rightAligned.includes(i) ? 'right' : 'left')),
  })
  const cells = rows.map((row) => row.map(String))
  for (const row of fit ? fitted(head, cells, fit) : cells) table.push(row)
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
}
