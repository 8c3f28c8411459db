import type {LayerContents} from '../model/entry.js'
import type {ByteReader} from '../tar/byte-reader.js'
import type {LayerReadOptions} from './read-layer.js'
import type {TarHeader} from '../tar/walk.js'

/**
 * The files of an image archive or layout, whatever holds them: a tar read with random access, a tar
 * read once as a stream, or a directory. Paths are relative to the archive root.
 */
export interface ArchiveStore {
  /** What the user named, for messages. */
  readonly name: string
  has(path: string): boolean
  /** All member paths (files only). */
  paths(): Iterable<string>
  readText(path: string): Promise<string>
  /** Bytes in all, when the store knows them before reading (a file's size). */
  readonly size?: number
  /** The parsed layer stored at `path`; `where` names it in errors. */
  layer(path: string, where: string, options: LayerReadOptions): Promise<LayerContents>
  /** The archive's own members as filesystem entries, for a `docker export` tarball. */
  exportHeaders(): TarHeader[] | undefined
}

/** A store whose blobs can be read again (a file or a directory, not a stream). */
export interface SeekableStore extends ArchiveStore {
  /** The raw bytes of a member (symlinks followed) and their length, for copying blobs as they are. */
  blob(path: string): Promise<{reader: ByteReader; size: number}>
}

/** Resolves a member's symlink target inside the archive; undefined when it points outside. */
export function resolveLink(member: string, target: string): string | undefined {
  const base = target.startsWith('/') ? [] : member.split('/').slice(0, -1)
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (base.length === 0) return undefined
      base.pop()
    } else {
      base.push(part)
    }
  }
  return base.join('/')
}
