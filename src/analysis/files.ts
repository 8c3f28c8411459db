import type {LayerEntry} from '../model/entry.js'
import {type FsNode, UnionFs} from '../model/union-fs.js'
import {type Image, layerHistory} from '../image/image.js'

export type Change = 'A' | 'M' | 'D'

/** One change a layer makes to one path, like `docker container diff` with sizes and metadata. */
export interface FileChange {
  layer: number
  change: Change
  path: string
  type: LayerEntry['kind']
  /** Content bytes (regular files); for D, the bytes the path held below. */
  size: number
  mode: string
  uid: number
  gid: number
  /** Symlink or hardlink target. */
  linkTarget: string | null
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

function fromEntry(layer: number, change: Change, entry: LayerEntry): FileChange {
  return {
    layer,
    change,
    path: entry.path,
    type: entry.kind,
    size: entry.size,
    mode: octal(entry.mode),
    uid: entry.owner.uid,
    gid: entry.owner.gid,
    linkTarget: entry.linkname || null,
  }
}

function fromNode(layer: number, path: string, node: FsNode): FileChange {
  const entry = node.entry
  return {
    layer,
    change: 'D',
    path,
    type: node.kind,
    size: node.kind === 'file' ? (entry?.size ?? 0) : 0,
    mode: entry ? octal(entry.mode) : '0755',
    uid: entry?.owner.uid ?? 0,
    gid: entry?.owner.gid ?? 0,
    linkTarget: entry?.linkname || null,
  }
}

/**
 * The changes of each layer in turn, one array per layer, so that long lists stream out a layer at a
 * time. Within a layer, D comes first (deletions act on the layers below), then A and M in tar order.
 */
export function* layerChanges(image: Image): Generator<FileChange[]> {
  const fs = new UnionFs()
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

/** The createdBy of each layer, for reports that name layers. */
export function layerCommands(image: Image): Array<string | null> {
  return layerHistory(image.config, image.layers.length).map((entry) => entry?.created_by ?? null)
}

/** Directory totals: bytes and regular files under each directory, for `files --tree`. */
export interface DirTotal {
  path: string
  bytes: number
  files: number
}

/**
 * Sums regular-file bytes into every ancestor directory up to `depth` levels ('' is the root).
 * `files` yields [path, bytes] for each regular file counted.
 */
export function directoryTotals(files: Iterable<[string, number]>, depth: number): DirTotal[] {
  const totals = new Map<string, DirTotal>([['', {path: '', bytes: 0, files: 0}]])
  for (const [path, bytes] of files) {
    const parts = path.split('/')
    for (let level = 0; level <= Math.min(depth, parts.length - 1); level++) {
      const dir = parts.slice(0, level).join('/')
      let total = totals.get(dir)
      if (!total) {
        total = {path: dir, bytes: 0, files: 0}
        totals.set(dir, total)
      }
      total.bytes += bytes
      total.files++
    }
  }
  return [...totals.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
