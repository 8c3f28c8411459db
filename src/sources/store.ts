import type {LayerContents} from '../model/entry.js'
import type {ByteReader} from '../tar/byte-reader.js'
import type {LayerReadOptions} from './read-layer.js'

/**
 * The files of an image archive or layout, whatever holds them: a tar read with random access, a tar read once
 * as a stream, or a directory. Paths are relative to the archive root. This is all a source has to provide:
 * `imageFromStore` finds the image in it and completes the `Image`.
 */
export interface ImageStore {
  /** What the user named, for messages. */
  readonly name: string
  /** A directory (an OCI layout, a `dir:` copy) rather than an archive: it cannot be a flat export. */
  readonly directory: boolean
  /** Bytes in all, when the store knows them before reading (a file's size). */
  readonly size?: number
  /** How many layers may be parsed at once, in order, while the model takes them in (default 1). */
  readonly layersInFlight?: number
  has(path: string): boolean
  /** All member paths (files only). */
  paths(): Iterable<string>
  readText(path: string): Promise<string>
  /** The parsed layer stored at `path` ('' is the archive itself, a `docker export`); `where` names it in errors. */
  layer(path: string, where: string, options: LayerReadOptions): Promise<LayerContents>
  /** The raw bytes of a member (links followed) and their length; absent on a stream read once. */
  blob?(path: string): Promise<{reader: ByteReader; size: number}>
  /** Releases open files. */
  close(): Promise<void>
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
