import {Args, Flags, type Interfaces} from '@oclif/core'
import {minimatch} from 'minimatch'

import {describeImage} from '../analysis/analyze.js'
import {type Change, directoryTotals, type FileChange, layerChanges} from '../analysis/files.js'
import {finalSnapshot} from '../analysis/final-fs.js'
import {BaseCommand, sourceFlags} from '../base-command.js'
import {InputError} from '../errors.js'
import {toCsv} from '../report/csv.js'
import {formatFlag} from '../report/format.js'
import {isTemplate, renderTemplate} from '../report/template.js'
import {humanSize, parseSize} from '../human-size.js'
import {StreamWriter} from '../report/stream-writer.js'
import type {Image} from '../image/image.js'

const FIELDS = ['layer', 'change', 'path', 'type', 'size', 'mode', 'uid', 'gid', 'linkTarget']
const TREE_FIELDS = ['layer', 'path', 'bytes', 'files']

/** Picks a layer by index or by (a prefix of) its diff_id. */
export function layerIndex(image: Image, wanted: string): number {
  if (/^\d+$/.test(wanted)) {
    const index = Number(wanted)
    if (index >= image.layers.length)
      throw new InputError(
        `--layer ${wanted}: the image has ${image.layers.length} layers (0-${image.layers.length - 1})`,
      )
    return index
  }
  const digest = wanted.startsWith('sha256:') ? wanted : `sha256:${wanted}`
  const matches = image.layers.filter((layer) => layer.diffId?.startsWith(digest))
  if (matches.length !== 1)
    throw new InputError(
      `--layer ${wanted}: ${matches.length === 0 ? 'no layer has that digest' : 'several layers match that prefix'}`,
    )
  return matches[0].index
}

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
    const changes = flags.changes
      ?.toUpperCase()
      .split(',')
      .map((c) => c.trim())
    if (changes?.some((c) => !['A', 'M', 'D'].includes(c)))
      throw new InputError(`--changes ${flags.changes}: expected letters among A, M, D`)
    const minSize = flags['min-size'] === undefined ? 0 : parseSize(flags['min-size'])
    if (minSize === undefined) throw new InputError(`--min-size ${flags['min-size']}: expected a size such as 1MB`)
    if (flags.final && !flags.tree) throw new InputError('--final goes with --tree')
    const image = await this.openImage(args.source, flags)
    const only = flags.layer === undefined ? undefined : layerIndex(image, flags.layer)
    const glob = flags.path?.replace(/^\/+/, '')
    const keep = (path: string) => glob === undefined || minimatch(path, glob, {dot: true})
    if (flags.tree) await this.tree(image, flags, only, keep)
    else await this.list(image, flags, {only, keep, changes: changes as Change[] | undefined, minSize})
  }

  private async list(
    image: Image,
    flags: Interfaces.InferredFlags<typeof Files.flags>,
    filter: {only?: number; keep: (path: string) => boolean; changes?: Change[]; minSize: number},
  ): Promise<void> {
    const out = new StreamWriter()
    const format = flags.format
    const template = isTemplate(format) ? format : undefined
    const buffered: FileChange[] = []
    let first = true
    if (format === 'json')
      await out.write(
        `{"schemaVersion":1,"source":${JSON.stringify(image.source)},"image":${JSON.stringify(describeImage(image))},"files":[`,
      )
    else if (format === 'csv') await out.write(toCsv([], FIELDS))
    else if (!template) await out.write('LAYER  C  TYPE     MODE  UID:GID         SIZE  PATH\n')
    for (const layer of layerChanges(image)) {
      if (filter.only !== undefined && layer[0]?.layer !== filter.only) continue
      const kept = layer.filter(
        (c) =>
          (!filter.changes || filter.changes.includes(c.change)) && c.size >= filter.minSize && filter.keep(c.path),
      )
      if (flags.sort === 'size') kept.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1))
      else if (flags.sort === 'path') kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
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

  private async tree(
    image: Image,
    flags: Interfaces.InferredFlags<typeof Files.flags>,
    only: number | undefined,
    keep: (path: string) => boolean,
  ): Promise<void> {
    const rows: Array<{layer: number | null; path: string; bytes: number; files: number}> = []
    if (flags.final) {
      const files = finalSnapshot(image).files.filter(([path]) => keep(path))
      for (const total of directoryTotals(files, flags.depth)) rows.push({layer: null, ...total})
    } else {
      for (const {index, contents} of image.layers) {
        if (only !== undefined && index !== only) continue
        const files = contents.entries
          .filter((e) => e.kind === 'file' && keep(e.path))
          .map((e): [string, number] => [e.path, e.size])
        for (const total of directoryTotals(files, flags.depth)) rows.push({layer: index, ...total})
      }
    }
    if (isTemplate(flags.format)) {
      await this.emit(renderTemplate(flags.format, rows))
    } else if (flags.format === 'json') {
      await this.emit(
        `${JSON.stringify({schemaVersion: 1, source: image.source, image: describeImage(image), tree: rows}, null, 2)}\n`,
      )
    } else if (flags.format === 'csv') {
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
