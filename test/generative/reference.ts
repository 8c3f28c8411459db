// A deliberately simple reference model of layer stacking, independent of src/: a flat map from path to
// what is there, rebuilt with string prefixes, applied in the phases docs/metrics.md describes. It works on
// what the stack generator meant (normalized paths, kinds, metadata), never on production's reading of the
// tar bytes, and computes every figure the commands report. Slow, obvious, and only for tests.
import {createHash} from 'node:crypto'

import type {StackEntry} from '../helpers/random-stacks.js'

export type Kind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo'
export type How = 'deleted' | 'opaque' | 'replaced' | 'overwritten' | 'metadata-only'

/** The bytes one regular-file entry wrote. */
export interface RefContent {
  entry: StackEntry
  /** Where it was written, and by which layer. */
  path: string
  layer: number
  size: number
  digest: string
  /** The mode, owner and mtime of the file: its own entry's, or the last hardlink's written to it (one inode). */
  meta: StackEntry['meta']
  /** The layer that hid its last visible name (-1 while visible), and how. */
  hiddenBy: number
  how?: How
}

/** What a path holds. `entry` is undefined for a directory implied by a deeper path or a marker. */
export interface RefNode {
  kind: Kind
  entry?: StackEntry
  /** The layer that wrote the path. */
  layer: number
  /** A regular file's content, or the one a hardlink shares. */
  content?: RefContent
}

/** One line of `files`: a change of one layer to one path (absolute, as reports show it). */
export interface RefChange {
  layer: number
  change: 'A' | 'M' | 'D'
  path: string
  type: Kind
  bytes: number
  mode: string
  uid: number
  gid: number
  linkTarget: string | null
}

export interface RefLayer {
  bytes: number
  entries: number
  added: number
  modified: number
  removed: number
  removedBytes: number
  wastedBytes: number
}

export interface RefResult {
  layers: RefLayer[]
  totalBytes: number
  finalBytes: number
  finalFiles: number
  final: Map<string, RefNode>
  /** Every regular-file content, in the order the layers wrote them. */
  contents: RefContent[]
  /** Per layer: D (as the paths were below) then A and M in tar order. */
  changes: RefChange[][]
  dive: {efficiency: number; inefficientBytes: number; userWastedPercent: number}
  /** The top-most root entry (`./`), which sets the metadata of `/`. */
  root?: StackEntry
  /**
   * The hardlinks the engine refuses (link(2) fails: to itself, to a missing path, to a directory, through too
   * many symlinks), in the order the layers write them.
   */
  invalidLinks: Array<{layer: number; path: string}>
}

const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')
const under = (p: string, dir: string) => dir === '' || p.startsWith(`${dir}/`)
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0')
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const isOverlayWhiteout = (e: StackEntry) => e.kind === 'char' && e.device?.[0] === 0 && e.device[1] === 0

/** Entries that are changes of their layer: not markers, not the root, not the device that is a whiteout. */
export const isChange = (e: StackEntry) =>
  e.kind !== 'whiteout' && e.kind !== 'opaque' && e.kind !== 'root' && !isOverlayWhiteout(e)

/** What a final-filesystem path looks like (hardlinks with content compare as the files they share). */
export interface RefFinalEntry {
  type: string
  bytes: number
  mode: string
  uid: number
  gid: number
  linkTarget: string | null
  digest?: string
}

/**
 * The path link(2) finds for a hardlink's target: symlinks on the way are followed (absolute ones from the
 * root, `..` stopping at the root), the last name is not. Undefined when nothing is there (40 symlinks at most).
 */
function linkTarget(fs: Map<string, RefNode>, target: string): string | undefined {
  const parts = (text: string) => text.split('/').filter((name) => name !== '' && name !== '.')
  let names = parts(target)
  let at: string[] = []
  for (let symlinks = 0; names.length > 0;) {
    const [name, ...rest] = names
    names = rest
    if (name === '..') {
      at.pop()
      continue
    }
    const node = fs.get([...at, name].join('/'))
    if (!node || (node.kind === 'hardlink' && !node.content)) return undefined
    if (node.kind === 'symlink' && rest.length > 0) {
      if (++symlinks > 40) return undefined
      if (node.entry!.target!.startsWith('/')) at = []
      names = [...parts(node.entry!.target!), ...rest]
      continue
    }
    at.push(name)
  }
  return at.join('/')
}

/** The mode, owner and mtime a path shows: a file's are its inode's. */
const metaOf = (node: RefNode) => node.content?.meta ?? node.entry?.meta

export function finalEntry(node: RefNode, hashed: boolean): RefFinalEntry {
  const isFile = node.content !== undefined
  const meta = metaOf(node)
  return {
    type: isFile ? 'file' : node.kind,
    bytes: node.content?.size ?? 0,
    mode: meta ? octal(meta.mode) : '0755',
    uid: meta?.uid ?? 0,
    gid: meta?.gid ?? 0,
    linkTarget: node.kind === 'symlink' ? node.entry!.target! : null,
    ...(hashed && node.content ? {digest: node.content.digest} : {}),
  }
}

/**
 * Applies the layers. `hashed`: contents were hashed when read, so a rewrite keeps the same bytes when the
 * digests match (else when size and mtime match).
 */
export function reference(layers: StackEntry[][], options: {hashed?: boolean} = {}): RefResult {
  const fs = new Map<string, RefNode>()
  const contents: RefContent[] = []
  const figures: RefLayer[] = []
  const changes: RefChange[][] = []
  const dive = new Map<string, {cumulative: number; minimum: number; count: number}>()
  let root: StackEntry | undefined
  const invalidLinks: RefResult['invalidLinks'] = []
  for (const [index, entries] of layers.entries()) {
    const before = new Map(fs)
    observeDive(dive, entries, before)
    /** The last way each content lost a name in this layer. */
    const lastHow = new Map<RefContent, How>()
    const drop = (path: string, how: How) => {
      const node = fs.get(path)
      if (node?.content) lastHow.set(node.content, how)
      fs.delete(path)
    }
    const dropTree = (path: string, how: How, self: boolean) => {
      for (const key of [...fs.keys()]) if ((self && key === path) || (key !== path && under(key, path))) drop(key, how)
    }
    const implyParents = (path: string) => {
      // a directory's parents are directories (the map never holds a path without them): done when the
      // nearest parent is one, which keeps a 1,000-deep path from rebuilding its 1,000 parents each time
      if (path.includes('/') && fs.get(parentOf(path))?.kind === 'dir') return
      const parts = path.split('/')
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/')
        const there = fs.get(dir)
        if (there?.kind === 'dir') continue
        if (there) drop(dir, 'overwritten')
        fs.set(dir, {kind: 'dir', layer: index})
      }
    }
    // 1. whiteouts, then opaque markers: they hide only what is below
    for (const e of entries) if (e.kind === 'whiteout') dropTree(e.path, 'deleted', true)
    for (const e of entries) if (e.kind === 'opaque') dropTree(e.path, 'opaque', false)
    // 2. markers imply their parents (an opaque marker its directory)
    for (const e of entries) if (e.kind === 'whiteout') implyParents(e.path)
    for (const e of entries) if (e.kind === 'opaque' && e.path !== '') implyParents(`${e.path}/marker`)
    // 3. entries in tar order
    const written: RefChange[] = []
    for (const e of entries) {
      if (e.kind === 'root') {
        root = e
        continue
      }
      if (e.kind === 'whiteout' || e.kind === 'opaque') continue
      implyParents(e.path)
      const existing = fs.get(e.path)
      if (isOverlayWhiteout(e)) {
        if (existing) dropTree(e.path, 'deleted', true)
        continue
      }
      let content: RefContent | undefined
      let shown = e // what the path holds: a hardlink to a symlink, device or fifo is one more of them
      if (e.kind === 'file') {
        content = {
          entry: e,
          path: e.path,
          layer: index,
          size: e.content!.length,
          digest: sha256(e.content!),
          meta: e.meta,
          hiddenBy: -1,
        }
        contents.push(content)
      } else if (e.kind === 'hardlink') {
        // its path is removed before the link is made: a target at or under it is none
        const at = e.target === e.path ? undefined : linkTarget(fs, e.target!)
        const target = at === undefined || at === e.path || under(at, e.path) ? undefined : fs.get(at)
        if (!target || target.kind === 'dir') invalidLinks.push({layer: index, path: e.path})
        else if (target.content) {
          content = target.content
          content.meta = e.meta
        } else {
          const {kind, target: to, device, meta} = target.entry!
          shown = {
            ...e,
            kind,
            target: to,
            device,
            meta: {...e.meta, mode: kind === 'symlink' ? meta.mode : e.meta.mode},
          }
        }
      }
      written.push(changeOf(index, before.has(e.path) ? 'M' : 'A', e))
      if (existing?.kind === 'dir' && e.kind === 'dir') {
        fs.set(e.path, {...existing, entry: e, layer: index})
        continue
      }
      if (existing) {
        if (existing.kind === 'dir') dropTree(e.path, 'replaced', false)
        if (existing.content && existing.content !== content)
          lastHow.set(
            existing.content,
            sameBytes(existing.content, e, options.hashed) ? 'metadata-only' : 'overwritten',
          )
      }
      fs.set(e.path, {kind: shown.kind as Kind, entry: shown, layer: index, content})
    }
    // what the layer made invisible
    const visible = new Set([...fs.values()].map((n) => n.content))
    for (const content of contents)
      if (content.hiddenBy === -1 && !visible.has(content)) {
        content.hiddenBy = index
        content.how = lastHow.get(content)
      }
    const removed: RefChange[] = []
    let removedBytes = 0
    for (const [path, node] of before) {
      if (fs.has(path)) continue
      removed.push(nodeChange(index, path, node))
      if (node.kind === 'file') removedBytes += node.content!.size
    }
    changes.push([...removed, ...written])
    figures.push({
      bytes: entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.content!.length : 0), 0),
      entries: entries.filter((e) => e.kind !== 'root').length,
      added: written.filter((c) => c.change === 'A').length,
      modified: written.filter((c) => c.change === 'M').length,
      removed: removed.length,
      removedBytes,
      wastedBytes: 0,
    })
  }
  const visible = new Set([...fs.values()].map((n) => n.content))
  for (const content of contents) if (!visible.has(content)) figures[content.layer].wastedBytes += content.size
  let finalFiles = 0
  for (const node of fs.values()) if (node.kind === 'file' || node.kind === 'hardlink') finalFiles++
  const totalBytes = figures.reduce((sum, l) => sum + l.bytes, 0)
  const finalBytes = contents.filter((c) => visible.has(c)).reduce((sum, c) => sum + c.size, 0)
  return {
    layers: figures,
    totalBytes,
    finalBytes,
    finalFiles,
    final: fs,
    contents,
    changes,
    dive: diveFigures(dive, figures),
    ...(root ? {root} : {}),
    invalidLinks,
  }
}

function sameBytes(before: RefContent, after: StackEntry, hashed = false): boolean {
  if (after.kind !== 'file') return false
  if (hashed) return before.digest === sha256(after.content!)
  return before.size === after.content!.length && before.entry.meta.mtime === after.meta.mtime
}

/** A symlink's target as written; a hardlink's names an image path, absolute as every path in a report. */
const shownLinkTarget = (e: StackEntry) => (e.kind === 'hardlink' ? `/${e.target}` : (e.target ?? null))

function changeOf(layer: number, change: 'A' | 'M', e: StackEntry): RefChange {
  return {
    layer,
    change,
    path: `/${e.path}`,
    type: e.kind as Kind,
    bytes: e.kind === 'file' ? e.content!.length : 0,
    mode: octal(e.meta.mode),
    uid: e.meta.uid,
    gid: e.meta.gid,
    linkTarget: shownLinkTarget(e),
  }
}

function nodeChange(layer: number, path: string, node: RefNode): RefChange {
  const meta = metaOf(node)
  return {
    layer,
    change: 'D',
    path: `/${path}`,
    type: node.kind,
    bytes: node.kind === 'file' ? node.content!.size : 0,
    mode: meta ? octal(meta.mode) : '0755',
    uid: meta?.uid ?? 0,
    gid: meta?.gid ?? 0,
    linkTarget: node.entry ? shownLinkTarget(node.entry) : null,
  }
}

/**
 * dive's figures as docs/metrics.md defines them: per layer the leaves of the layer's own tree (an entry
 * is a leaf unless another path of the layer lies under it), sized by their header size; a whiteout weighs
 * the bytes of the directory subtree it hid (0 for anything else); opaque markers are not paths.
 */
function observeDive(
  paths: Map<string, {cumulative: number; minimum: number; count: number}>,
  entries: StackEntry[],
  below: Map<string, RefNode>,
): void {
  const sizes = new Map<string, number>()
  for (const e of entries)
    if (e.kind !== 'whiteout' && e.kind !== 'opaque' && e.kind !== 'root')
      sizes.set(e.path, e.kind === 'file' ? e.content!.length : 0)
  for (const e of entries) {
    if (e.kind !== 'whiteout') continue
    let bytes = 0
    if (below.get(e.path)?.kind === 'dir')
      for (const [path, node] of below) if (under(path, e.path) && node.kind === 'file') bytes += node.content!.size
    sizes.set(e.path, bytes)
  }
  const parents = new Set<string>()
  for (const path of sizes.keys())
    for (let dir = parentOf(path); dir !== '' && !parents.has(dir); dir = parentOf(dir)) parents.add(dir)
  for (const [path, size] of sizes) {
    if (parents.has(path)) continue
    const data = paths.get(path)
    if (data) {
      data.cumulative += size
      data.minimum = Math.min(data.minimum, size)
      data.count++
    } else paths.set(path, {cumulative: size, minimum: size, count: 1})
  }
}

function diveFigures(
  paths: Map<string, {cumulative: number; minimum: number; count: number}>,
  layers: RefLayer[],
): RefResult['dive'] {
  let minimum = 0
  let cumulative = 0
  let inefficientBytes = 0
  for (const data of paths.values()) {
    minimum += data.minimum
    cumulative += data.cumulative
    if (data.count >= 2) inefficientBytes += data.cumulative
  }
  const userBytes = layers.slice(1).reduce((sum, l) => sum + l.bytes, 0)
  return {
    efficiency: cumulative === 0 ? 1 : minimum / cumulative,
    inefficientBytes,
    userWastedPercent: userBytes === 0 ? 0 : inefficientBytes / userBytes,
  }
}
