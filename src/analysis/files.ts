import {minimatch} from 'minimatch'

import {InputError} from '../errors.js'
import {parseSize} from '../human-size.js'
import {containerPath, type LayerEntry} from '../model/entry.js'
import {type FsNode, UnionFs} from '../model/union-fs.js'
import {type Image, layerHistory, type SourceInfo} from '../image/image.js'
import {describeImage, type ImageIdentity, SCHEMA_VERSION} from './identity.js'
import {finalFiles, finalFs} from './final-fs.js'
import type {Bytes, Count} from './figures.js'

export type Change = 'A' | 'M' | 'D'

/** One change a layer makes to one path, like `docker container diff` with sizes and metadata. */
export interface FileChange {
  layer: Count
  change: Change
  /** absolute, as a container sees it */
  path: string
  type: LayerEntry['kind']
  /** Content bytes (regular files); for D, the bytes the path held below. */
  bytes: Bytes
  /** @pattern ^[0-7]{4}$ */
  mode: string
  uid: Count
  gid: Count
  /** Symlink target as written, or the (absolute) path a hardlink names. */
  linkTarget: string | null
}

/** `files --format json`: every change of every layer the filter keeps. */
export interface FilesListReport {
  schemaVersion: typeof SCHEMA_VERSION
  source: SourceInfo
  image: ImageIdentity
  files: FileChange[]
}

/** Bytes and regular files under one directory, in one layer or (--final) in the final filesystem. */
export interface DirectoryRow {
  /** null for --final */
  layer: Count | null
  /** absolute, as a container sees it; `/` is the root */
  path: string
  bytes: Bytes
  files: Count
}

/** `files --tree --format json`: sizes by directory. */
export interface FilesTreeReport {
  schemaVersion: typeof SCHEMA_VERSION
  source: SourceInfo
  image: ImageIdentity
  tree: DirectoryRow[]
}

/**
 * `files SOURCE --format json`; with --tree, `tree` replaces `files`.
 * @title docker-layers files report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/files.json
 */
export type FilesReport = FilesListReport | FilesTreeReport

/** What `files` keeps: one layer, kinds of change, a minimum size, paths matching a glob; and the order. */
export interface FileFilter {
  /** An index or (a prefix of) a diff_id. */
  layer?: string
  changes?: Change[]
  minSize: Bytes
  /** A glob; a leading `/` is ignored. */
  path?: string
  /** The order within each layer; by default the layer's own. */
  sort?: 'size' | 'path'
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

/** A symlink's target as written; a hardlink's, an image path, absolute as every path. */
function linkTarget(entry: LayerEntry): string | null {
  if (entry.kind === 'hardlink') return containerPath(entry.linkTarget)
  return entry.linkTarget || null
}

function fromEntry(layer: number, change: Change, entry: LayerEntry): FileChange {
  return {
    layer,
    change,
    path: containerPath(entry.path),
    type: entry.kind,
    bytes: entry.size,
    mode: octal(entry.mode),
    uid: entry.owner.uid,
    gid: entry.owner.gid,
    linkTarget: linkTarget(entry),
  }
}

function fromNode(layer: number, path: string, node: FsNode): FileChange {
  const {entry, meta} = node
  return {
    layer,
    change: 'D',
    path: containerPath(path),
    type: node.kind,
    bytes: node.kind === 'file' ? (entry?.size ?? 0) : 0,
    mode: meta ? octal(meta.mode) : '0755',
    uid: meta?.owner.uid ?? 0,
    gid: meta?.owner.gid ?? 0,
    linkTarget: entry ? linkTarget(entry) : null,
  }
}

/**
 * The changes of each layer in turn, one array per layer, so that long lists stream out a layer at a
 * time. Within a layer, D comes first (deletions act on the layers below), then A and M in tar order.
 */
export function* layerChanges(image: Image): Generator<FileChange[]> {
  const fs = new UnionFs(image.notes)
  for (const {contents} of image.layers) {
    const removed: FileChange[] = []
    const written: FileChange[] = []
    fs.apply(contents, {
      entry(layer: number, entry: LayerEntry, existedBelow: boolean) {
        written.push(fromEntry(layer, existedBelow ? 'M' : 'A', entry))
      },
      removed(layer: number, removal: {path: string; node: FsNode}) {
        removed.push(fromNode(layer, removal.path, removal.node))
      },
    })
    yield [...removed, ...written]
  }
}

/** Checks the filter's options as flags give them, before any image is read. */
export function parseFileFilter(options: {
  layer?: string
  changes?: string
  minSize?: string
  path?: string
  sort?: string
}): FileFilter {
  const changes = options.changes
    ?.toUpperCase()
    .split(',')
    .map((c) => c.trim())
  if (changes?.some((c) => !['A', 'M', 'D'].includes(c)))
    throw new InputError(`--changes ${options.changes}: expected letters among A, M, D`)
  const minSize = options.minSize === undefined ? 0 : parseSize(options.minSize)
  if (minSize === undefined) throw new InputError(`--min-size ${options.minSize}: expected a size such as 1MB`)
  return {
    layer: options.layer,
    changes: changes as Change[] | undefined,
    minSize,
    path: options.path,
    sort: options.sort as FileFilter['sort'],
  }
}

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

/** The filter's layer index (undefined: every layer) and its path test. */
function selection(image: Image, filter: Pick<FileFilter, 'layer' | 'path'>) {
  const only = filter.layer === undefined ? undefined : layerIndex(image, filter.layer)
  const glob = filter.path === undefined ? undefined : containerPath(filter.path.replace(/^\/+/, ''))
  return {only, keep: (path: string) => glob === undefined || minimatch(path, glob, {dot: true})}
}

/**
 * The list report with its files a layer at a time, so that the changes of a huge image stream out: `head` is the
 * report without `files`, `layers` yields each layer's changes as the filter keeps and orders them.
 */
export interface FilesList {
  head: Omit<FilesListReport, 'files'>
  layers: Iterable<FileChange[]>
}

export function filesList(image: Image, filter: FileFilter): FilesList {
  const {only, keep} = selection(image, filter)
  function* layers(): Generator<FileChange[]> {
    for (const layer of layerChanges(image)) {
      if (only !== undefined && layer[0]?.layer !== only) continue
      const kept = layer.filter(
        (c) => (!filter.changes || filter.changes.includes(c.change)) && c.bytes >= filter.minSize && keep(c.path),
      )
      if (filter.sort === 'size') kept.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
      else if (filter.sort === 'path') kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      yield kept
    }
  }
  return {head: {schemaVersion: SCHEMA_VERSION, source: image.source, image: describeImage(image)}, layers: layers()}
}

/** Sizes by directory, `depth` levels down: per layer the filter keeps or, with `final`, for the final filesystem. */
export function filesTree(
  image: Image,
  filter: Pick<FileFilter, 'layer' | 'path'>,
  options: {final: boolean; depth: number},
): FilesTreeReport {
  const {only, keep} = selection(image, filter)
  const tree: DirectoryRow[] = []
  if (options.final) {
    const files = finalFiles(finalFs(image)).filter(([path]) => keep(containerPath(path)))
    for (const total of directoryTotals(files, options.depth)) tree.push({layer: null, ...total})
  } else {
    for (const {index, contents} of image.layers) {
      if (only !== undefined && index !== only) continue
      const files = contents.entries
        .filter((e) => e.kind === 'file' && keep(containerPath(e.path)))
        .map((e): [string, number] => [e.path, e.size])
      for (const total of directoryTotals(files, options.depth)) tree.push({layer: index, ...total})
    }
  }
  return {schemaVersion: SCHEMA_VERSION, source: image.source, image: describeImage(image), tree}
}

/** The createdBy of each layer, for reports that name layers. */
export function layerCommands(image: Image): Array<string | null> {
  return layerHistory(image.config, image.layers.length).map((entry) => entry?.created_by ?? null)
}

/** Directory totals: bytes and regular files under each directory, for `files --tree`. */
export interface DirTotal {
  /** absolute; `/` is the root */
  path: string
  bytes: Bytes
  files: Count
}

/**
 * Sums regular-file bytes into every ancestor directory up to `depth` levels, named as a container sees them (`/` is
 * the root). `files` yields [path, bytes, …] for each regular file counted, paths as layers store them.
 */
export function directoryTotals(
  files: Iterable<readonly [path: string, bytes: number, ...rest: number[]]>,
  depth: number,
): DirTotal[] {
  const totals = new Map<string, DirTotal>([['', {path: '', bytes: 0, files: 0}]])
  for (const [path, bytes] of files) {
    // each ancestor is a slice of the path up to a slash: no join per level (a path 10,000 deep has 10,000)
    for (let level = 0, end = 0; level <= depth && end !== -1; level++) {
      const dir = path.slice(0, end)
      end = path.indexOf('/', end + (level === 0 ? 0 : 1))
      let total = totals.get(dir)
      if (!total) {
        total = {path: dir, bytes: 0, files: 0}
        totals.set(dir, total)
      }
      total.bytes += bytes
      total.files++
    }
  }
  return [...totals.values()]
    .map((total) => ({...total, path: containerPath(total.path)}))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
