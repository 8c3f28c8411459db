import {joinPath, type LayerEntry} from '../model/entry.js'
import {type Content, describeInvalidLink, type FsNode, UnionFs} from '../model/union-fs.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import {memberSize, type OutEntry, plainFile} from '../tar/encode.js'

/** A regular file of the output whose bytes are copied from one entry of one source layer. */
export interface CopiedFile {
  entry: OutEntry
  /** Where the bytes are: the source layer and the entry's content offset in its uncompressed tar. */
  layer: number
  offset: number
}

/**
 * The squashed layer, in the order it is written: entries without content first (directories parents
 * first, symlinks, devices, fifos, whiteouts), then files layer by layer as their bytes are copied, then
 * hardlinks (their targets are written by then).
 */
export interface FlattenPlan {
  meta: OutEntry[]
  files: CopiedFile[]
  links: OutEntry[]
  /** Bytes of the uncompressed layer tar, end blocks included: known before a byte is written. */
  tarSize: number
  /** Σ content bytes of the files. */
  contentBytes: number
}

/** An entry to write: `meta` gives the mode, owner and mtime (a hardlinked file's are its inode's). */
function outEntry(path: string, entry: LayerEntry | undefined, kind = entry?.kind ?? 'dir', meta = entry): OutEntry {
  return {
    path,
    kind,
    size: kind === 'file' ? (entry?.size ?? 0) : 0,
    mode: meta?.mode ?? 0o755,
    uid: meta?.owner.uid ?? 0,
    gid: meta?.owner.gid ?? 0,
    uname: meta?.owner.uname ?? '',
    gname: meta?.owner.gname ?? '',
    mtime: meta?.mtime ?? 0,
    linkpath: kind === 'symlink' ? (entry?.linkTarget ?? '') : '',
    devmajor: entry?.device?.major ?? 0,
    devminor: entry?.device?.minor ?? 0,
    ...(entry?.xattrs ? {xattrs: entry.xattrs} : {}),
  }
}

/**
 * Plans the layer that holds exactly the final filesystem of `image` (or, with `from`, what the layers
 * from `from` up change on top of the layers below it, whiteouts and opaque markers included).
 */
export function planFlatten(image: Image, from = 0): FlattenPlan {
  const base = new UnionFs()
  const fs = new UnionFs()
  const opaqueDirs = new Set<string>()
  for (const [index, {contents}] of image.layers.entries()) {
    if (index < from) base.apply(contents)
    else for (const dir of contents.opaques) opaqueDirs.add(dir)
    fs.apply(contents)
  }
  const [invalid] = fs.invalidLinks
  if (invalid)
    throw new InputError(`cannot flatten: ${describeInvalidLink(invalid)} (docker refuses to load such a layer)`)
  const meta: OutEntry[] = []
  const files: CopiedFile[] = []
  const links: OutEntry[] = []
  // `/` keeps the top-most root entry of the squashed layers (else the runtime's default mode applies)
  if (fs.root.entry && fs.root.layer >= from) meta.push(outEntry('.', fs.root.entry, 'dir'))
  if (from > 0) for (const marker of whiteouts(base, fs, opaqueDirs)) meta.push(marker)
  // a file the base layers keep whose inode a squashed layer's hardlink header changed (its mode, owner or
  // mtime differ from the base's): the squashed layer writes all its names again
  const rewritten = new Set<Content>()
  for (const [path, node] of fs.walk())
    if (node.content && node.layer < from && base.lookup(path)?.meta !== node.meta) rewritten.add(node.content)
  const primary = new Map<Content, string>()
  // a content's primary path: its own regular-file node when that is still visible, else a name the base layers
  // keep (the squashed layer links to it, so the names still share one file), else the first link
  for (const [path, node] of fs.walk()) {
    if (!node.content) continue
    if (node.kind === 'file' && node.content.entry === node.entry) primary.set(node.content, path)
    else if (node.layer < from && !rewritten.has(node.content) && !primary.has(node.content))
      primary.set(node.content, path)
  }
  for (const [path, node] of fs.walk()) {
    if (node.layer < from && !(node.content && rewritten.has(node.content))) continue // the base layers keep it
    // A directory no layer wrote stays implied: the paths below it make it again (0755, root, as the model
    // has it). Written, a chain of them 10,000 deep would take a header of its whole path each: 113 MB. Unless
    // the base layers have the path: their entry would show through, so the squashed layer writes it.
    if (!node.entry && node.children!.size > 0 && !(from > 0 && base.lookup(path))) continue
    if (
      node.kind === 'dir' ||
      node.kind === 'symlink' ||
      node.kind === 'char' ||
      node.kind === 'block' ||
      node.kind === 'fifo'
    ) {
      meta.push(outEntry(path, node.entry, node.kind))
      continue
    }
    const content = node.content! // a file, or a hardlink to one: every invalid hardlink was refused above
    if (!primary.has(content)) primary.set(content, path)
    if (primary.get(content) === path) {
      files.push({
        entry: {...outEntry(path, node.entry, 'file', node.meta), size: content.entry.size},
        layer: content.layer,
        offset: content.entry.offset,
      })
    } else {
      links.push({...outEntry(path, node.entry, 'hardlink', node.meta), linkpath: primary.get(content) as string})
    }
  }
  files.sort((a, b) => a.layer - b.layer || a.offset - b.offset)
  const all = [...meta, ...files.map((f) => f.entry), ...links]
  return {
    meta,
    files,
    links,
    tarSize: all.reduce((sum, entry) => sum + memberSize(entry), 0) + 1024,
    contentBytes: files.reduce((sum, f) => sum + f.entry.size, 0),
  }
}

/**
 * What the squashed layers delete from the base: a whiteout for each top-most path gone, an opaque marker in
 * each directory deleted and made again (as docker writes them: overlay2 turns a whiteout followed by the
 * directory into a directory that shows its old children), or an opaque marker where a directory the squashed
 * layers made opaque lost base children.
 */
function whiteouts(base: UnionFs, fs: UnionFs, opaqueDirs: Set<string>): OutEntry[] {
  const out: OutEntry[] = []
  // depth first, parents first, with a stack rather than recursion: any depth a tar can hold
  const stack: Array<[FsNode, FsNode, string]> = [[base.root, fs.root, '']]
  while (stack.length > 0) {
    const [dir, now, path] = stack.pop()!
    if (!dir.children || !now.children) continue
    const gone = new Set(
      [...dir.children].flatMap(([name, before]) => {
        const after = now.children!.get(name)
        return !after ||
          (before.kind === 'dir') !== (after.kind === 'dir') ||
          (before.kind === 'dir' && after.since > before.since)
          ? [name]
          : []
      }),
    )
    if (gone.size > 0 && opaqueDirs.has(path)) {
      out.push(plainFile(path === '' ? '.wh..wh..opq' : `${path}/.wh..wh..opq`, 0))
      continue
    }
    for (const name of gone) {
      const remade = now.children.get(name)?.kind === 'dir' && dir.children.get(name)!.kind === 'dir'
      const at = joinPath(path, name)
      out.push(plainFile(remade ? `${at}/.wh..wh..opq` : joinPath(path, `.wh.${name}`), 0))
    }
    const below: Array<[FsNode, FsNode, string]> = []
    for (const [name, child] of dir.children) {
      if (!gone.has(name) && child.children) below.push([child, now.children.get(name)!, joinPath(path, name)])
    }
    for (let index = below.length - 1; index >= 0; index--) stack.push(below[index])
  }
  return out
}
