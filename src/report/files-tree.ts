import type {FilesTreeReport} from '../analysis/files.js'
import {humanSize} from '../human-size.js'
import {displayWidth, ellipsize} from './display-width.js'
import {fitWidth, type TableOptions} from './plain-table.js'
import type {View} from './render.js'

const FIELDS = ['layer', 'path', 'bytes', 'files']

/** `files --tree`: rows are the directories. */
export function filesTreeView(report: FilesTreeReport, options: TableOptions = {}): View {
  return {report, table: () => renderTree(report, options), rows: {items: report.tree, fields: FIELDS}}
}

/**
 * Sizes by directory: a line per directory and layer (`all` for the final filesystem); fitted to a width, the
 * DIRECTORY is cut to what the other columns leave.
 */
function renderTree(report: FilesTreeReport, options: TableOptions): string {
  const width = fitWidth(options)
  const lines = report.tree.map((r) => {
    const columns =
      `${r.layer === null ? '  all' : String(r.layer).padStart(5)}  ${humanSize(r.bytes).padStart(8)} ` +
      ` ${String(r.files).padStart(7)}  `
    return `${columns}${width === undefined ? r.path : ellipsize(r.path, Math.max(10, width - displayWidth(columns)))}`
  })
  return `LAYER      SIZE    FILES  DIRECTORY\n${lines.join('\n')}\n`
}
