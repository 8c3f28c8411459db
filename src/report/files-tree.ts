import type {FilesTreeReport} from '../analysis/files.js'
import {humanSize} from '../human-size.js'
import type {View} from './render.js'

const FIELDS = ['layer', 'path', 'bytes', 'files']

/** `files --tree`: rows are the directories. */
export function filesTreeView(report: FilesTreeReport): View {
  return {report, table: () => renderTree(report), rows: {items: report.tree, fields: FIELDS}}
}

/** Sizes by directory: a line per directory and layer (`all` for the final filesystem). */
function renderTree(report: FilesTreeReport): string {
  const lines = report.tree.map(
    (r) =>
      `${r.layer === null ? '  all' : String(r.layer).padStart(5)}  ${humanSize(r.bytes).padStart(8)} ` +
      ` ${String(r.files).padStart(7)}  ${r.path}`,
  )
  return `LAYER      SIZE    FILES  DIRECTORY\n${lines.join('\n')}\n`
}
