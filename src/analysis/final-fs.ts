import {buildUnionFs, type Content, type FsNode} from '../model/union-fs.js'
import type {Image} from '../image/image.js'
import type {Bytes, Count} from './figures.js'

/** A path of a final filesystem as diff compares it (hardlinks compare as the files they share). */
export interface FinalEntry {
  type: string
  size: Bytes
  mode: string
  uid: Count
  gid: Count
  linkTarget: string | null
  digest?: string
}

/**
 * The final filesystem of an image as a map from path to what diff compares, and its regular files as
 * [path, bytes, the layer that wrote the content] for directory totals and the HTML report's treemap: each content
 * once, under the first of its paths in path order (a content hardlinked under several directories counts in one,
 * whichever order the layers wrote them).
 */
export function finalSnapshot(image: Image): {
  entries: Map<string, FinalEntry>
  files: Array<[path: string, bytes: number, layer: number]>
  /** `/` itself, when a layer has an entry for it. */
  root?: FinalEntry
} {
  const snapshot = new Map<string, FinalEntry>()
  const first = new Map<Content, string>()
  const fs = buildUnionFs(image.layers.map((layer) => layer.contents))
  for (const [path, node] of fs.walk()) {
    if (node.content) {
      const seen = first.get(node.content)
      if (seen === undefined || path < seen) first.set(node.content, path)
    }
    const content = node.content?.entry
    const isFile = node.kind === 'file' || (node.kind === 'hardlink' && content !== undefined)
    snapshot.set(path, finalEntry(node, isFile ? 'file' : node.kind, isFile ? (content?.size ?? 0) : 0))
  }
  const files = [...first].map(([content, path]): [string, number, number] => [path, content.entry.size, content.layer])
  return {entries: snapshot, files, ...(fs.root.entry ? {root: finalEntry(fs.root, 'dir', 0)} : {})}
}

function finalEntry(node: FsNode, type: string, size: number): FinalEntry {
  const {entry, meta} = node
  const digest = node.content?.entry.digest
  return {
    type,
    size,
    mode: ((meta?.mode ?? 0o755) & 0o7777).toString(8).padStart(4, '0'),
    uid: meta?.owner.uid ?? 0,
    gid: meta?.owner.gid ?? 0,
    linkTarget: node.kind === 'symlink' ? (entry?.linkname ?? null) : null,
    ...(digest ? {digest} : {}),
  }
}
