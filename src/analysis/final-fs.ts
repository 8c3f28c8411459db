import {joinPath} from '../model/entry.js'
import {buildUnionFs, type Content, type FsNode, type UnionFs} from '../model/union-fs.js'
import type {Image} from '../image/image.js'
import type {Bytes, Count} from './figures.js'

/** A path of a final filesystem as diff compares it (hardlinks compare as the files they share). */
export interface FinalEntry {
  type: string
  /** content bytes of a regular file, 0 for every other type */
  bytes: Bytes
  mode: string
  uid: Count
  gid: Count
  linkTarget: string | null
  digest?: string
}

/** The final filesystem of an image: every layer applied (invalid hardlinks noted in the image's notes). */
export function finalFs(image: Image): UnionFs {
  return buildUnionFs(
    image.layers.map((layer) => layer.contents),
    undefined,
    image.notes,
  )
}

/**
 * The regular files of a final filesystem as [path, bytes, the layer that wrote the content], for directory totals
 * and the HTML report's treemap: each content once, under the first of its paths in path order (a content
 * hardlinked under several directories counts in one, whichever order the layers wrote them).
 */
export function finalFiles(fs: UnionFs): Array<[string, number, number]> {
  const first = new Map<Content, string>()
  for (const [path, node] of fs.walk()) {
    if (!node.content) continue
    const seen = first.get(node.content)
    if (seen === undefined || path < seen) first.set(node.content, path)
  }
  return [...first].map(([content, path]): [string, number, number] => [path, content.entry.size, content.layer])
}

/**
 * The final filesystem of an image as a map from path to what diff compares, and its regular files as
 * [path, bytes, layer] for directory totals and the treemap (see finalFiles).
 */
export function finalSnapshot(image: Image): {
  entries: Map<string, FinalEntry>
  files: Array<[path: string, bytes: number, layer: number]>
  /** `/` itself, when a layer has an entry for it. */
  root?: FinalEntry
} {
  const snapshot = new Map<string, FinalEntry>()
  const fs = finalFs(image)
  for (const [path, node] of fs.walk()) snapshot.set(path, finalEntry(node))
  return {entries: snapshot, files: finalFiles(fs), ...(fs.root.entry ? {root: finalEntry(fs.root)} : {})}
}

/** A path as two final filesystems hold it (null where one has no such path). */
export interface FinalPair {
  path: string
  a: FinalEntry | null
  b: FinalEntry | null
}

/**
 * Every path of two final filesystems, side by side, parents first; `/` first when either has an entry for
 * it. Iterative, and keeps no path: what differs is all a caller keeps, whatever the depth.
 */
export function* finalPairs(a: UnionFs, b: UnionFs): Generator<FinalPair> {
  if (a.root.entry || b.root.entry)
    yield {path: '', a: a.root.entry ? finalEntry(a.root) : null, b: b.root.entry ? finalEntry(b.root) : null}
  const stack: Array<[FsNode | undefined, FsNode | undefined, string]> = []
  const below = (x: FsNode | undefined, y: FsNode | undefined, path: string) => {
    const pairs: Array<[FsNode | undefined, FsNode | undefined, string]> = []
    for (const [name, child] of x?.children ?? []) pairs.push([child, y?.children?.get(name), joinPath(path, name)])
    for (const [name, child] of y?.children ?? [])
      if (!x?.children?.has(name)) pairs.push([undefined, child, joinPath(path, name)])
    for (let index = pairs.length - 1; index >= 0; index--) stack.push(pairs[index])
  }
  below(a.root, b.root, '')
  while (stack.length > 0) {
    const [x, y, path] = stack.pop()!
    yield {path, a: x ? finalEntry(x) : null, b: y ? finalEntry(y) : null}
    below(x, y, path)
  }
}

/** What diff compares of a path: hardlinks compare as the files they share. */
export function finalEntry(node: FsNode): FinalEntry {
  const {entry, meta} = node
  const content = node.content?.entry
  const isFile = node.kind === 'file' || (node.kind === 'hardlink' && content !== undefined)
  return {
    type: isFile ? 'file' : node.kind,
    bytes: isFile ? (content?.size ?? 0) : 0,
    mode: ((meta?.mode ?? 0o755) & 0o7777).toString(8).padStart(4, '0'),
    uid: meta?.owner.uid ?? 0,
    gid: meta?.owner.gid ?? 0,
    linkTarget: node.kind === 'symlink' ? (entry?.linkTarget ?? null) : null,
    ...(content?.digest ? {digest: content.digest} : {}),
  }
}
