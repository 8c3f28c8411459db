import {InputError} from '../errors.js'
import type {TarEntryType, TarHeader} from '../tar/walk.js'

export type EntryKind = TarEntryType

/** Owner ids and names. Interned: the entries of a layer share a handful of them. */
export interface Owner {
  readonly uid: number
  readonly gid: number
  readonly uname: string
  readonly gname: string
}

/** Device numbers of a character or block device. */
export interface Device {
  readonly major: number
  readonly minor: number
}

/**
 * One filesystem entry of a layer (whiteouts are kept apart, see LayerContents). An image holds one per
 * path per layer, so rare and shared attributes live in side objects to keep it small.
 */
export interface LayerEntry extends Pick<TarHeader, 'mode' | 'mtime' | 'xattrs'> {
  /** Normalized: no leading `/` or `./`, no trailing `/`, never empty. */
  path: string
  kind: EntryKind
  /** Content bytes: the header size of a regular file, 0 for every other kind. */
  size: number
  /** Symlink target as written, or the normalized path a hardlink names ('' for the root). */
  linkTarget: string
  /** Where the content starts in the layer's uncompressed tar stream. */
  offset: number
  owner: Owner
  /** Only on character and block devices. */
  device?: Device
  /** sha256 of a regular file's content, when the layer was read with hashing. */
  digest?: string
}

/** The parsed form of one layer tar: entries in tar order, whiteouts and opaque markers apart. */
export interface LayerContents {
  entries: LayerEntry[]
  /** Paths deleted from the layers below (`dir/.wh.name` → `dir/name`). */
  whiteouts: string[]
  /** Directories whose lower children are hidden (`dir/.wh..wh..opq` → `dir`; '' is the root). */
  opaques: string[]
  /** Σ sizes of regular-file entries. */
  bytes: number
  /** The layer's entry for the root directory itself (`./`), when it has one: the mode, owner and mtime of `/`. */
  root?: LayerEntry
}

export const WHITEOUT_PREFIX = '.wh.'
export const OPAQUE_MARKER = '.wh..wh..opq'

/** A layer's path as a container sees it, the form every report shows: absolute, the root `/`. */
export function containerPath(path: string): string {
  return `/${path}`
}

/**
 * A character device 0:0: how overlayfs stores a whiteout on the engine's disk. Found in a layer tar, it is
 * applied as overlay-based engines apply it (docker's overlay2, containerd's overlayfs snapshotter): it deletes
 * its path, and no device is left there.
 */
export function isOverlayWhiteout(entry: LayerEntry): boolean {
  return entry.kind === 'char' && entry.device?.major === 0 && entry.device.minor === 0
}

/**
 * Normalizes a tar path as the OCI layer rules read it: `./` and `/` prefixes and trailing `/` dropped,
 * `.` components and doubled slashes folded. A `..` component is an input error. Returns '' for the root.
 */
export function normalizePath(raw: string, where: string): string {
  if (
    !raw.includes('./') &&
    !raw.startsWith('/') &&
    !raw.endsWith('/') &&
    !raw.includes('//') &&
    raw !== '.' &&
    raw !== '..' &&
    !raw.endsWith('/.') &&
    !raw.endsWith('/..')
  )
    return raw
  const parts: string[] = []
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') throw new InputError(`${where}: path ${JSON.stringify(raw)} has a '..' component`)
    parts.push(part)
  }
  return parts.join('/')
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`
}

/** Collects a layer's tar headers into LayerContents, applying the whiteout naming rules. */
export class LayerContentsBuilder {
  readonly contents: LayerContents = {entries: [], whiteouts: [], opaques: [], bytes: 0}
  private readonly owners = new Map<string, Owner>()
  private lastOwner: Owner = {uid: 0, gid: 0, uname: '', gname: ''}

  constructor(private readonly where: string) {}

  private owner(header: TarHeader): Owner {
    const last = this.lastOwner
    if (
      last.uid === header.uid &&
      last.gid === header.gid &&
      last.uname === header.uname &&
      last.gname === header.gname
    )
      return last
    const key = JSON.stringify([header.uid, header.gid, header.uname, header.gname])
    let owner = this.owners.get(key)
    if (!owner) {
      owner = {uid: header.uid, gid: header.gid, uname: header.uname, gname: header.gname}
      this.owners.set(key, owner)
    }
    this.lastOwner = owner
    return owner
  }

  add(header: TarHeader, digest?: string): void {
    const path = normalizePath(header.path, this.where)
    if (path === '' && header.type !== 'dir') return // `/` is a directory whatever a layer says
    const name = basename(path)
    if (name.startsWith(WHITEOUT_PREFIX)) {
      if (name === OPAQUE_MARKER) {
        this.contents.opaques.push(dirname(path))
        return
      }
      const target = name.slice(WHITEOUT_PREFIX.length)
      if (target === '' || target === '.' || target === '..')
        throw new InputError(`${this.where}: bad whiteout ${JSON.stringify(header.path)}`)
      this.contents.whiteouts.push(joinPath(dirname(path), target))
      return
    }
    // a hardlink to `/` (or to nothing: the root too) is for the model to decide: a link to a directory
    const linkTarget = header.type === 'hardlink' ? normalizePath(header.linkpath, this.where) : header.linkpath
    const entry: LayerEntry = {
      path,
      kind: header.type,
      size: header.type === 'file' ? header.size : 0,
      mode: header.mode,
      mtime: header.mtime,
      linkTarget,
      offset: header.dataOffset,
      owner: this.owner(header),
    }
    if (header.type === 'char' || header.type === 'block')
      entry.device = {major: header.devmajor, minor: header.devminor}
    if (header.xattrs) entry.xattrs = header.xattrs
    if (digest) entry.digest = digest
    if (path === '') {
      this.contents.root = entry // `/` itself: not a path of the layer's changes
      return
    }
    this.contents.entries.push(entry)
    this.contents.bytes += entry.size
  }
}
