import {createReadStream, existsSync, statSync} from 'node:fs'
import {open} from 'node:fs/promises'

import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import type {RegistryOptions} from '../registry/client.js'
import type {Image} from '../image/image.js'
import {ReadProgress} from '../image/progress.js'
import {type Compression, detectCompression} from '../tar/compression.js'
import {openArchiveFile, readArchiveStream} from './archive.js'
import {type EngineVia, openDaemonImage} from './daemon.js'
import {openLayoutDir} from './layout-dir.js'
import type {Selection} from './manifest.js'
import {openRegistryImage} from './registry.js'
import {readSpooled} from './spool.js'
import {stdinChunks} from './stdin.js'

export interface OpenOptions extends Selection {
  engine?: EngineOptions
  /** How a registry is reached (`docker://…`): credentials, TLS. */
  registry?: RegistryOptions
  stdin?: AsyncIterable<Buffer>
  progress?: ReadProgress
  /** Hash every regular file's content (sha256) while reading. */
  hash?: boolean
  /**
   * The command will read layer blobs again (flatten copies them): every layer gets `blob`. A file or directory
   * is read in place; a stream (stdin, the engine's save stream, a compressed archive) is spooled to a
   * temporary file that the image's `close` removes; a registry's blob is fetched again.
   */
  randomAccess?: boolean
  /** How an engine image is read: its own layer store, `docker save`, or the store when it can be (auto). */
  via?: EngineVia
}

const UNSUPPORTED = ['containers-storage', 'ostree', 'sif', 'tarball']

function splitRef(rest: string): [string, string | undefined] {
  if (existsSync(rest)) return [rest, undefined]
  const colon = rest.indexOf(':')
  return colon === -1 ? [rest, undefined] : [rest.slice(0, colon), rest.slice(colon + 1)]
}

/** What can only be a path: docker references never start with / or . and never end in .tar. */
function looksLikePath(argument: string): boolean {
  return /^(\/|\.\.?\/|~)/.test(argument) || /\.(tar|tar\.gz|tgz|tar\.zst|oci)$/.test(argument)
}

/** What a SOURCE argument names, before anything is read. */
export type SourceRef =
  | {kind: 'stdin'}
  | {kind: 'path'; path: string; image?: string}
  | {kind: 'daemon'; ref: string}
  | {kind: 'registry'; ref: string}

/**
 * Picks the source in one place: `-` is an archive on stdin; `docker://` is an image in a registry; a skopeo
 * transport name says what follows (before any path rule, so `oci-archive:app.tar` is not taken for a file of that
 * name); an existing path is an archive or a layout; anything else is an image in the engine.
 */
export function parseSource(argument: string): SourceRef {
  if (argument === '-') return {kind: 'stdin'}
  if (argument.startsWith('docker://')) return {kind: 'registry', ref: argument}
  const transport = /^([a-z][a-z-]*):(?!\/\/)(.*)$/s.exec(argument)
  if (transport) {
    const [, name, rest] = transport
    if (name === 'docker-daemon') return {kind: 'daemon', ref: rest}
    if (name === 'dir') return {kind: 'path', path: rest}
    if (name === 'docker-archive' || name === 'oci' || name === 'oci-archive') {
      const [path, image] = splitRef(rest)
      return {kind: 'path', path, image}
    }
    if (UNSUPPORTED.includes(name))
      throw new InputError(
        `unsupported transport ${name}: (use docker-daemon:, docker-archive:, oci:, oci-archive: or dir:)`,
      )
  }
  if (existsSync(argument) || looksLikePath(argument)) return {kind: 'path', path: argument}
  return {kind: 'daemon', ref: argument}
}

function checkPath(path: string): void {
  if (!existsSync(path)) throw new InputError(`cannot read ${path}: no such file or directory`)
}

/** The compression of a whole archive file (`docker save app | gzip > app.tar.gz`), or undefined for a plain one. */
async function wholeCompression(path: string): Promise<Compression | undefined> {
  const file = await open(path, 'r')
  try {
    const {buffer, bytesRead} = await file.read(Buffer.alloc(6), 0, 6, 0)
    const kind = detectCompression(buffer.subarray(0, bytesRead))
    return kind === 'gzip' || kind === 'zstd' ? kind : undefined
  } finally {
    await file.close()
  }
}

const streamedNote = (path: string, kind: Compression) =>
  `${path} is ${kind}-compressed as a whole: read front to back, without random access (decompress it to read only the layers needed)`

/**
 * The one opener: the image REFERENCE names, from whichever source holds it, as the `Image` every command reads.
 * The caller closes it.
 */
export async function openImage(reference: string, options: OpenOptions = {}): Promise<Image> {
  const source = parseSource(reference)
  const reading = {progress: options.progress ?? new ReadProgress(), hash: options.hash}
  const randomAccess = options.randomAccess ?? false
  const read = randomAccess ? readSpooled : readArchiveStream
  if (source.kind === 'daemon')
    return openDaemonImage(source.ref, options.engine ?? {}, reading, {
      randomAccess,
      via: options.via ?? 'auto',
      platform: options.platform,
    })
  if (source.kind === 'registry')
    return openRegistryImage(source.ref, options, reading, randomAccess, options.registry ?? {})
  if (source.kind === 'stdin') return read(options.stdin ?? stdinChunks(), '-', options, reading)
  checkPath(source.path)
  const selection = {...options, image: options.image ?? source.image}
  if (statSync(source.path).isDirectory()) return openLayoutDir(source.path, selection, reading)
  const compression = await wholeCompression(source.path)
  if (!compression) return openArchiveFile(source.path, selection, reading)
  const image = await read(createReadStream(source.path), source.path, selection, reading)
  return {...image, notes: [...image.notes, streamedNote(source.path, compression)]}
}
