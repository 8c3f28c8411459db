import type {FileChange, FilesList} from '../analysis/files.js'
import {humanSize} from '../human-size.js'
import {toCsv} from './csv.js'
import {displayWidth, ellipsize} from './display-width.js'
import {fitWidth, type TableOptions} from './plain-table.js'
import {toJson, toJsonLines} from './format.js'
import {isTemplate, renderTemplate} from './template.js'
import type {StreamWriter} from './stream-writer.js'

/** The columns of `files --format csv`, the JSON names of a change. */
const FIELDS = ['layer', 'change', 'path', 'type', 'bytes', 'mode', 'uid', 'gid', 'linkTarget']

const HEADER = 'LAYER  C  TYPE     MODE  UID:GID         SIZE  PATH\n'

/** A row of the table; fitted to `width`, its PATH (and link target) is cut to what the other columns leave. */
function row(change: FileChange, width: number | undefined): string {
  const owner = `${change.uid}:${change.gid}`
  const size = change.type === 'file' || change.change === 'D' ? humanSize(change.bytes) : '-'
  const columns =
    `${String(change.layer).padStart(5)}  ${change.change}  ${change.type.padEnd(8)} ${change.mode} ` +
    ` ${owner.padEnd(11)} ${size.padStart(8)}  `
  const path = `${change.path}${change.linkTarget ? ` -> ${change.linkTarget}` : ''}`
  return `${columns}${width === undefined ? path : ellipsize(path, Math.max(10, width - displayWidth(columns)))}\n`
}

/** A change as an element of the pretty `files` array: toJson's indentation, two levels down. */
function jsonElement(change: FileChange): string {
  return `    ${JSON.stringify(change, null, 2).replaceAll('\n', '\n    ')}`
}

/**
 * Writes `files`' list as it is made, a layer at a time, so that memory stays flat however many changes a huge image
 * has: a table, JSON (the report of docs/schemas/files.json, one document exactly as toJson writes it), JSON Lines (a
 * change a line), CSV, or a Go template. A `table` template aligns its columns over every row, so it alone waits for
 * the last layer.
 */
export async function writeFilesList(
  out: StreamWriter,
  format: string,
  list: FilesList,
  options: TableOptions = {},
): Promise<void> {
  const width = fitWidth(options)
  const template = isTemplate(format) ? format : undefined
  const buffered: FileChange[] = []
  let first = true
  if (format === 'json') {
    const head = toJson({...list.head, files: []})
    await out.write(head.slice(0, head.lastIndexOf(']'))) // the report up to `"files": [`
  } else if (format === 'csv') await out.write(toCsv([], FIELDS))
  else if (!template && format !== 'jsonl') await out.write(HEADER)
  for (const changes of list.layers) {
    if (template?.startsWith('table')) for (const change of changes) buffered.push(change)
    else if (template) await out.write(renderTemplate(template, changes))
    else {
      for (const change of changes) {
        if (format === 'json') {
          await out.write(`${first ? '' : ','}\n${jsonElement(change)}`)
          first = false
        } else if (format === 'jsonl') {
          await out.write(toJsonLines([change]))
        } else if (format === 'csv') {
          await out.write(toCsv([change], FIELDS).split('\n').slice(1).join('\n'))
        } else {
          await out.write(row(change, width))
        }
      }
    }
  }
  if (buffered.length > 0) await out.write(renderTemplate(format, buffered))
  if (format === 'json') await out.write(`${first ? '' : '\n  '}]\n}\n`)
  await out.flush()
}
