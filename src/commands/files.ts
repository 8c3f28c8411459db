import {Args, Flags} from '@oclif/core'

import {
  type FileChange,
  type FilesList,
  filesList,
  filesTree,
  type FilesTreeReport,
  parseFileFilter,
} from '../analysis/files.js'
import {BaseCommand, sourceFlags} from '../base-command.js'
import {InputError} from '../errors.js'
import {toCsv} from '../report/csv.js'
import {formatFlag} from '../report/format.js'
import {isTemplate, renderTemplate} from '../report/template.js'
import {humanSize} from '../human-size.js'
import {StreamWriter} from '../report/stream-writer.js'

const FIELDS = ['layer', 'change', 'path', 'type', 'size', 'mode', 'uid', 'gid', 'linkTarget']
const TREE_FIELDS = ['layer', 'path', 'bytes', 'files']

function row(change: FileChange): string {
  const owner = `${change.uid}:${change.gid}`
  const size = change.type === 'file' || change.change === 'D' ? humanSize(change.size) : '-'
  return `${String(change.layer).padStart(5)}  ${change.change}  ${change.type.padEnd(8)} ${change.mode}  ${owner.padEnd(11)} ${size.padStart(8)}  /${change.path}${change.linkTarget ? ` -> ${change.linkTarget}` : ''}\n`
}

export default class Files extends BaseCommand {
  static override summary =
    'List what each layer adds (A), modifies (M) and deletes (D), with size, type, mode and owner.'
  static override description =
    'Like `docker container diff`, per layer. With --tree, sizes summed by directory, per layer or (--final) for the final filesystem.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest --layer 3',
    "<%= config.bin %> <%= command.id %> app.tar --changes D --path '/var/**'",
    '<%= config.bin %> <%= command.id %> app.tar --sort size --min-size 1MB',
    '<%= config.bin %> <%= command.id %> app.tar --tree --final --depth 2',
  ]

  static override args = {source: Args.string({description: 'image, archive, layout or - for stdin', required: true})}
  static override flags = {
    format: formatFlag,
    layer: Flags.string({description: 'only this layer: an index or a diff_id (prefix)'}),
    changes: Flags.string({description: 'only these kinds of change, e.g. A,M or D'}),
    path: Flags.string({description: 'only paths matching this glob (e.g. /etc/** or **/*.so)'}),
    sort: Flags.string({
      description: 'order within each layer (default: as the layer makes them)',
      options: ['size', 'path'],
    }),
    'min-size': Flags.string({description: 'only entries of at least this size (e.g. 1MB)'}),
    tree: Flags.boolean({description: 'sizes by directory instead of a list of changes'}),
    depth: Flags.integer({description: 'with --tree: directory levels to show', default: 3, min: 0}),
    final: Flags.boolean({description: 'with --tree: the final filesystem instead of each layer'}),
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Files)
    const filter = parseFileFilter({...flags, minSize: flags['min-size']})
    if (flags.final && !flags.tree) throw new InputError('--final goes with --tree')
    const image = await this.openImage(args.source, flags)
    if (flags.tree) await this.tree(filesTree(image, filter, {final: flags.final, depth: flags.depth}), flags.format)
    else await this.list(filesList(image, filter), flags.format)
  }

  private async list(list: FilesList, format: string): Promise<void> {
    const out = new StreamWriter()
    const template = isTemplate(format) ? format : undefined
    const buffered: FileChange[] = []
    let first = true
    if (format === 'json') {
      const head = JSON.stringify({...list.head, files: []})
      await out.write(head.slice(0, head.lastIndexOf(']'))) // the report up to `"files":[`
    } else if (format === 'csv') await out.write(toCsv([], FIELDS))
    else if (!template) await out.write('LAYER  C  TYPE     MODE  UID:GID         SIZE  PATH\n')
    for (const kept of list.layers) {
      if (template?.startsWith('table')) {
        buffered.push(...kept) // aligned columns need every row first
        continue
      }
      if (template) {
        await out.write(renderTemplate(template, kept))
        continue
      }
      for (const change of kept) {
        if (format === 'json') {
          await out.write(`${first ? '' : ','}\n  ${JSON.stringify(change)}`)
          first = false
        } else if (format === 'csv') {
          await out.write(toCsv([change], FIELDS).split('\n').slice(1).join('\n'))
        } else {
          await out.write(row(change))
        }
      }
    }
    if (buffered.length > 0) await out.write(renderTemplate(format, buffered))
    if (format === 'json') await out.write(`${first ? '' : '\n'}]}\n`)
    await out.flush()
  }

  private async tree(report: FilesTreeReport, format: string): Promise<void> {
    const rows = report.tree
    if (isTemplate(format)) {
      await this.emit(renderTemplate(format, rows))
    } else if (format === 'json') {
      await this.emit(`${JSON.stringify(report, null, 2)}\n`)
    } else if (format === 'csv') {
      await this.emit(toCsv(rows, TREE_FIELDS))
    } else {
      const lines = rows.map(
        (r) =>
          `${r.layer === null ? '  all' : String(r.layer).padStart(5)}  ${humanSize(r.bytes).padStart(8)}  ${String(r.files).padStart(7)}  /${r.path}`,
      )
      await this.emit(`LAYER      SIZE    FILES  DIRECTORY\n${lines.join('\n')}\n`)
    }
  }
}
