import type {EntryKind, LayerContents, LayerEntry} from './entry.js'
import {isOverlayWhiteout, joinPath} from './entry.js'

/** Why a layer's file content stopped being visible. */
export type HideReason = 'deleted' | 'overwritten' | 'opaque' | 'replaced' | 'metadata-only'

/** A path of the union filesystem. A directory with no `entry` was implied by a deeper path. */
export class FsNode {
  children: Map<string, FsNode> | undefined

  constructor(
    public name: string,
    public parent: FsNode | undefined,
    /** The layer whose entry last wrote this path. */
    public layer: number,
    /** The first layer since which this path has existed without interruption. */
    public since: number,
    /** The entry that wrote the path; undefined for a directory implied by a deeper path. */
    public entry: LayerEntry | undefined,
    /** The bytes a regular file or hardlink shows: the file's own node, or the one a hardlink names. */
    public content: Content | undefined,
  ) {
    if (!entry || entry.kind === 'dir') this.children = new Map()
  }

  get kind(): EntryKind {
    return this.entry?.kind ?? 'dir'
  }

  /** The entry whose mode, owner and mtime the path shows: a file's are its inode's (see Content.inode). */
  get meta(): LayerEntry | undefined {
    return this.content?.inode ?? this.entry
  }
}

/**
 * The bytes of one regular-file entry: the node that the entry wrote, which is its own content.
 * Hardlinks share it, and it outlives its path, so that what a later layer hid stays countable.
 * (One object per file instead of two: a million files hold 40 MB less.)
 */
export class Content extends FsNode {
  declare entry: LayerEntry
  /** Visible paths that show this content. */
  refs = 0
  /**
   * What most files never have: an inode written by a hardlink, the layer that hid it. One field for the three
   * (a million files: 16 MB less), made when the first of them is.
   */
  private rare: {inode?: LayerEntry; hiddenBy?: number; how?: HideReason} | undefined

  constructor(name: string, parent: FsNode, layer: number, since: number, entry: LayerEntry) {
    super(name, parent, layer, since, entry, undefined)
    this.content = this
  }

  /**
   * The entry whose mode, owner and mtime the file has: its own, or the last hardlink written to it, as the
   * engine applies a hardlink's header to the one inode all its names share.
   */
  get inode(): LayerEntry {
    return this.rare?.inode ?? this.entry
  }

  set inode(entry: LayerEntry) {
    ;(this.rare ??= {}).inode = entry
  }

  /** The layer that made it invisible, or -1 while it is visible. */
  get hiddenBy(): number {
    return this.rare?.hiddenBy ?? -1
  }

  get how(): HideReason | undefined {
    return this.rare?.how
  }

  /** Records that `layer` made it invisible, and how. */
  hide(layer: number, how: HideReason): void {
    this.rare ??= {}
    this.rare.hiddenBy = layer
    this.rare.how = how
  }
}

/** Why a hardlink cannot be made: link(2) fails, so the engine refuses the layer. */
export type LinkProblem = 'itself' | 'missing' | 'directory' | 'loop'

/** Linux's limit of symlinks followed in one path lookup (ELOOP past it). */
const MAX_SYMLINKS = 40

/**
 * A hardlink the engine refuses to extract: `docker load` fails on its layer. The model keeps its path as a
 * hardlink without content (0 bytes), so that reports go on; flatten refuses the image.
 */
export interface InvalidLink {
  layer: number
  path: string
  linkTarget: string
  problem: LinkProblem
}

/** One line naming an invalid hardlink and why it is: `hardlink /a in layer 1 links to itself`. */
export function describeInvalidLink(link: InvalidLink): string {
  const why = {
    itself: 'links to itself',
    missing: `links to /${link.linkTarget}, which does not exist when the link is made`,
    directory: `links to /${link.linkTarget}, a directory`,
    loop: `links to /${link.linkTarget} through too many symbolic links`,
  }[link.problem]
  return `hardlink /${link.path} in layer ${link.layer} ${why}`
}

/** A path of the filesystem below that a layer hid. */
export interface Removal {
  path: string
  node: FsNode
  how: HideReason
}

/** The state of applying one layer. */
interface LayerPass {
  layer: number
  /** Every path hidden while applying the layer, with how (the last hide wins). */
  removed: Map<string, Removal>
  /** The node each touched path had below this layer, for what `removed` reports. */
  below: Map<string, FsNode>
  hide(path: string, node: FsNode, how: HideReason): void
}

/** What one layer did to the filesystem below it. Observers see it as the model applies the layer. */
export interface LayerObserver {
  /** An entry of the layer, with whether its path existed in the filesystem below. */
  entry?(layer: number, entry: LayerEntry, existedBelow: boolean, replaced: FsNode | undefined): void
  /** A whiteout; `hidden` is the node it deleted (undefined when the path did not exist below). */
  whiteout?(layer: number, path: string, hidden: FsNode | undefined): void
  /** Every path of the filesystem below that the layer made disappear (the path is gone after the layer). */
  removed?(layer: number, removal: Removal): void
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

/**
 * Visits a node and everything below it, parents first. Iterative, with a stack of the directories being
 * listed: any depth a tar can hold, in memory proportional to it.
 */
export function* subtree(node: FsNode, path: string): Generator<[string, FsNode]> {
  yield [path, node]
  if (!node.children) return
  const stack: Array<[string, MapIterator<[string, FsNode]>]> = [[path, node.children.entries()]]
  while (stack.length > 0) {
    const [dir, children] = stack[stack.length - 1]
    const next = children.next()
    if (next.done) {
      stack.pop()
      continue
    }
    const [name, child] = next.value
    const childPath = joinPath(dir, name)
    yield [childPath, child]
    if (child.children) stack.push([childPath, child.children.entries()])
  }
}

/**
 * The union filesystem of an image's layers, applied in order with the OCI layer rules: whiteouts and
 * opaque markers hide only what lies below their layer; a non-directory over a directory hides its
 * subtree; a directory deleted and re-created starts empty; a hardlink shares the content its target had
 * when the link was written. Every command reads layers through this one model.
 */
export class UnionFs {
  readonly root = new FsNode('', undefined, -1, -1, undefined, undefined)
  /** Every regular-file content, per layer, in entry order. */
  readonly contents: Content[][] = []
  /** Every hardlink the engine would refuse to extract, in the order the layers write them. */
  readonly invalidLinks: InvalidLink[] = []
  private cacheDir = ''
  private cacheNode: FsNode = this.root
  private readonly noted = new Set<string>()

  /** `notes`, when given, gets one line per path of an invalid hardlink (an image's notes, for the user). */
  constructor(private readonly notes?: string[]) {}

  lookup(path: string): FsNode | undefined {
    if (path === '') return this.root
    let node: FsNode | undefined = this.root
    for (const name of path.split('/')) {
      node = node.children?.get(name)
      if (!node) return undefined
    }
    return node
  }

  /** Applies the next layer. */
  apply(contents: LayerContents, observer: LayerObserver = {}): void {
    const layer = this.contents.length
    const layerContents: Content[] = []
    this.contents.push(layerContents)
    this.forgetDirectory()
    // Deletions first: they act on the filesystem below only, never on this layer's own entries.
    const pass: LayerPass = {
      layer,
      removed: new Map(),
      below: new Map(),
      hide: (path, node, how) => {
        for (const [p, n] of subtree(node, path)) {
          if (n.content) this.unref(n.content, layer, how)
          pass.removed.set(p, {path: p, node: n, how})
          if (n.since < layer && !pass.below.has(p)) pass.below.set(p, n)
        }
      },
    }
    const {hide} = pass
    for (const path of contents.whiteouts) {
      const node = this.lookup(path)
      observer.whiteout?.(layer, path, node)
      if (node) this.delete(path, node, pass)
    }
    for (const dir of contents.opaques) {
      const node = this.lookup(dir)
      if (!node?.children) continue
      for (const [name, child] of node.children) hide(joinPath(dir, name), child, 'opaque')
      node.children.clear()
      this.forgetDirectory()
    }
    // Like any entry, a whiteout or an opaque marker implies its parent directories (the engine creates them
    // before it handles the marker): `X/a/.wh.b` leaves a directory `X/a` even where none was below.
    for (const path of contents.whiteouts) this.directory(dirOf(path), pass)
    for (const dir of contents.opaques) this.directory(dir, pass)
    if (contents.root) {
      this.root.entry = contents.root
      this.root.layer = layer
    }
    for (const entry of contents.entries) this.write(entry, pass, layerContents, observer)
    if (observer.removed) {
      // only paths of the filesystem below count, as they were below: not what this layer wrote over them
      const now = this.nodesNow()
      for (const [path, removal] of pass.removed) {
        const node = pass.below.get(path)
        if (node && !now(node)) observer.removed(layer, {...removal, node})
      }
    }
  }

  private write(entry: LayerEntry, pass: LayerPass, layerContents: Content[], observer: LayerObserver): void {
    const {layer, below, hide} = pass
    const slash = entry.path.lastIndexOf('/')
    // the cached directory when the path is in it, found without slicing the path (a string per entry)
    const inCached =
      slash > 0 && slash === this.cacheDir.length && this.cacheNode.children && entry.path.startsWith(this.cacheDir)
    const parent = inCached ? this.cacheNode : this.directory(slash === -1 ? '' : entry.path.slice(0, slash), pass)
    const name = entry.path.slice(slash + 1)
    const existing = parent.children!.get(name)
    if (isOverlayWhiteout(entry)) {
      // overlayfs's own whiteout, which overlay-based engines apply as one: it deletes the path, in tar order
      observer.whiteout?.(layer, entry.path, existing)
      if (existing) this.delete(entry.path, existing, pass)
      return
    }
    const earlier = existing ? undefined : below.get(entry.path)
    const existedBelow = existing ? existing.since < layer : earlier !== undefined
    const since = existing ? existing.since : (earlier?.since ?? layer)
    let content: Content | undefined
    let shown = entry // what the path shows: a hardlink to a symlink, device or fifo shows one
    if (entry.kind === 'file') {
      content = new Content(name, parent, layer, since, entry)
      layerContents.push(content)
    } else if (entry.kind === 'hardlink') {
      const target = this.linkTarget(entry, existing)
      if (typeof target === 'string') this.invalid(entry, layer, target)
      else if (target.content) {
        content = target.content
        content.inode = entry
      } else {
        // the link's own header for owner and mode, as the engine applies them (a symlink's mode cannot change)
        const {kind, linkTarget, device, mode} = target.entry!
        shown = {...entry, kind, linkTarget, device, mode: kind === 'symlink' ? mode : entry.mode}
      }
    }
    observer.entry?.(layer, entry, existedBelow, existing)
    if (existing && existing.kind === 'dir' && entry.kind === 'dir') {
      // the path keeps its node and children; what it was below stays known, should the layer remove it later
      if (existing.since < layer && !below.has(entry.path))
        below.set(entry.path, new FsNode(name, parent, existing.layer, existing.since, existing.entry, undefined))
      existing.entry = entry
      existing.layer = layer
      return
    }
    if (existing) {
      if (existing.since < layer && !pass.below.has(entry.path)) pass.below.set(entry.path, existing)
      this.forgetDirectory() // the cached directory may be the node being replaced
      if (existing.children) {
        for (const [childName, child] of existing.children) hide(joinPath(entry.path, childName), child, 'replaced')
      }
      if (existing.content && existing.content !== content)
        this.unref(existing.content, layer, sameBytes(existing.content.entry, entry) ? 'metadata-only' : 'overwritten')
      else if (existing.content) existing.content.refs--
    }
    const node = entry.kind === 'file' ? content! : new FsNode(name, parent, layer, since, shown, content)
    if (content) content.refs++
    parent.children!.set(name, node)
  }

  /** Deletes a path and everything under it, as a whiteout does. */
  private delete(path: string, node: FsNode, pass: LayerPass): void {
    pass.hide(path, node, 'deleted')
    node.parent?.children?.delete(node.name)
    this.forgetDirectory()
  }

  /** Drops the cached directory, which a deletion may have detached. */
  private forgetDirectory(): void {
    this.cacheDir = ''
    this.cacheNode = this.root
  }

  /** The directory at `path`, creating implied directories and replacing non-directories in the way. */
  private directory(path: string, pass: LayerPass): FsNode {
    if (path === this.cacheDir && this.cacheNode.children) return this.cacheNode
    const {layer, below, hide} = pass
    let node = this.root
    // the path so far is a slice made only when needed: joined and hashed at every level, a path 10,000 deep
    // cost 10^8 bytes
    for (let start = 0; start < path.length;) {
      const slash = path.indexOf('/', start)
      const end = slash === -1 ? path.length : slash
      const name = path.slice(start, end)
      let child = node.children!.get(name)
      if (!child || !child.children) {
        const at = path.slice(0, end)
        const since = child ? child.since : below.size === 0 ? layer : (below.get(at)?.since ?? layer)
        if (child) hide(at, child, 'overwritten')
        child = new FsNode(name, node, layer, since, undefined, undefined)
        node.children!.set(name, child)
      }
      node = child
      start = end + 1
    }
    this.cacheDir = path
    this.cacheNode = node
    return node
  }

  /**
   * What a hardlink links to, decided as the engine's extraction does (link(2) in the layer's root, after the
   * path itself is removed): the node, or why there is none. Symlinks in the directories on the way are
   * followed (from the root when absolute; `..` stops at the root), the last name is not: a link to a symlink,
   * device or fifo is one more name of it. A hardlink that was itself invalid never came to be.
   */
  private linkTarget(entry: LayerEntry, existing: FsNode | undefined): FsNode | LinkProblem {
    if (entry.linkTarget === entry.path) return 'itself'
    const names = entry.linkTarget.split('/').reverse()
    let node = this.root
    for (let symlinks = 0; names.length > 0;) {
      const name = names.pop()!
      if (name === '' || name === '.') continue
      if (name === '..') {
        node = node.parent ?? node
        continue
      }
      const child = node.children?.get(name)
      if (!child || (child.kind === 'hardlink' && !child.content)) return 'missing'
      if (child.kind === 'symlink' && names.length > 0) {
        if (++symlinks > MAX_SYMLINKS) return 'loop'
        const to = child.entry!.linkTarget
        if (to.startsWith('/')) node = this.root
        for (const part of to.split('/').reverse()) names.push(part)
        continue
      }
      node = child
    }
    if (node === existing) return 'itself'
    if (existing?.children) for (let up = node.parent; up; up = up.parent) if (up === existing) return 'missing'
    return node.children ? 'directory' : node
  }

  private invalid(entry: LayerEntry, layer: number, problem: LinkProblem): void {
    const link: InvalidLink = {layer, path: entry.path, linkTarget: entry.linkTarget, problem}
    this.invalidLinks.push(link)
    if (this.notes && !this.noted.has(link.path)) {
      this.noted.add(link.path)
      this.notes.push(`${describeInvalidLink(link)}: docker refuses to load such a layer; counted as a 0-byte hardlink`)
    }
  }

  /**
   * Finds what is now at the path a node held when it was visible: its directory's node now, by name. Each
   * directory is resolved once (no lookup from the root per path: a hidden chain 10,000 deep took 14 s).
   */
  private nodesNow(): (node: FsNode) => FsNode | undefined {
    const now = new Map<FsNode, FsNode | undefined>([[this.root, this.root]])
    return (node) => {
      const chain: FsNode[] = []
      let up = node
      for (; !now.has(up); up = up.parent!) chain.push(up)
      let found = now.get(up)
      for (let index = chain.length - 1; index >= 0; index--) {
        found = found?.children?.get(chain[index].name)
        now.set(chain[index], found)
      }
      return found
    }
  }

  private unref(content: Content, layer: number, how: HideReason): void {
    content.refs--
    if (content.refs === 0) {
      content.hide(layer, how)
    }
  }

  /** Every visible path of the final filesystem, parents first (the root excluded). */
  *walk(): Generator<[string, FsNode]> {
    const all = subtree(this.root, '')
    all.next() // the root itself
    yield* all
  }
}

/**
 * A rewrite that kept the bytes: the same content digest when the layers were hashed, else the same size
 * and mtime, as `chmod`/`chown` copy-ups leave them.
 */
function sameBytes(before: LayerEntry, after: LayerEntry): boolean {
  if (after.kind !== 'file') return false
  if (before.digest && after.digest) return before.digest === after.digest
  return before.size === after.size && before.mtime === after.mtime
}

/** Builds the model of a whole image. */
export function buildUnionFs(layers: Iterable<LayerContents>, observer?: LayerObserver, notes?: string[]): UnionFs {
  const fs = new UnionFs(notes)
  for (const layer of layers) fs.apply(layer, observer)
  return fs
}
