import {createReadStream, existsSync, rmSync, statSync, writeSync} from 'node:fs'
import {mkdtemp, open, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import {type Compression, detectCompression} from '../tar/compression.js'
import {StreamReader} from '../tar/byte-reader.js'
import {
  archiveTar,
  openArchiveFile,
  openArchiveStore,
  type OpenedImage,
  readArchiveFile,
  readArchiveStream,
} from './archive.js'
import {readDaemonImage, saveStream} from './daemon.js'
import type {Image} from './image.js'
import {openLayoutDir, readLayoutDir} from './layout-dir.js'
import type {Selection} from './manifest.js'
import {ReadProgress} from './progress.js'
import type {LayerReadOptions} from './read-layer.js'

export interface SourceOptions extends Selection {
  engine?: EngineOptions
  stdin?: AsyncIterable<Buffer>
  progress?: ReadProgress
  /** Hash every regular file's content (sha256) while reading. */
  hash?: boolean
}

function reading(options: SourceOptions): LayerReadOptions {
  return {progress: options.progress ?? new ReadProgress(), hash: options.hash}
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
export type SourceRef = {kind: 'stdin'} | {kind: 'path'; path: string; image?: string} | {kind: 'daemon'; ref: string}

/**
 * Picks the source in one place: `-` is an archive on stdin; a skopeo transport name says what follows (before
 * any path rule, so `oci-archive:app.tar` is not taken for a file of that name); an existing path is an archive
 * or a layout; anything else is an image in the engine.
 */
export function parseSource(argument: string): SourceRef {
  if (argument === '-') return {kind: 'stdin'}
  if (argument.startsWith('docker://'))
    throw new InputError(
      `${argument}: registry images are not read (nothing is pulled); pull it, then analyze the local image`,
    )
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

/** Reads the image SOURCE names, from whichever source holds it. */
export async function openSource(argument: string, options: SourceOptions = {}): Promise<Image> {
  const source = parseSource(argument)
  if (source.kind === 'stdin') return readArchiveStream(options.stdin ?? process.stdin, '-', options, reading(options))
  if (source.kind === 'daemon') return readDaemonImage(source.ref, options.engine ?? {}, reading(options))
  checkPath(source.path)
  const selection = {...options, image: options.image ?? source.image}
  if (statSync(source.path).isDirectory()) return readLayoutDir(source.path, selection, reading(options))
  const compression = await wholeCompression(source.path)
  if (!compression) return readArchiveFile(source.path, selection, reading(options))
  const image = await readArchiveStream(createReadStream(source.path), source.path, selection, reading(options))
  return {...image, notes: [...image.notes, streamedNote(source.path, compression)]}
}

/**
 * Opens SOURCE so that its layer blobs can be read a second time: a file or layout in place; stdin, the
 * engine's save stream and a compressed archive file are read once, parsed as they pass and written (as a
 * plain tar) to a temporary archive that `close` removes.
 */
export async function openSeekable(argument: string, options: SourceOptions = {}): Promise<OpenedImage> {
  const source = parseSource(argument)
  let compression: Compression | undefined
  if (source.kind === 'path') {
    checkPath(source.path)
    const selection = {...options, image: options.image ?? source.image}
    if (statSync(source.path).isDirectory()) return openLayoutDir(source.path, selection, reading(options))
    compression = await wholeCompression(source.path)
    if (!compression) return openArchiveFile(source.path, selection, reading(options))
  }
  const dir = await mkdtemp(join(tmpdir(), 'docker-layers-'))
  const spool = join(dir, 'source.tar')
  // removed however the process ends: a signal handler's process.exit included
  const onExit = () => rmSync(dir, {recursive: true, force: true})
  process.once('exit', onExit)
  const remove = async () => {
    process.removeListener('exit', onExit)
    await rm(dir, {recursive: true, force: true})
  }
  try {
    // one read of the stream: its layers are parsed as it passes while its tar is written to the spool, which
    // later serves only the bytes the caller copies
    const out = await open(spool, 'w')
    async function* tee(stream: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
      const {reader} = await archiveTar(new StreamReader(stream), name)
      for await (const chunk of reader.chunks()) {
        for (let done = 0; done < chunk.length;) done += writeSync(out.fd, chunk, done, chunk.length - done)
        yield chunk
      }
    }
    let image: Image
    try {
      if (source.kind === 'daemon') {
        const {stream, id} = await saveStream(source.ref, options.engine ?? {})
        const name = `docker-daemon:${source.ref}`
        const read = await readArchiveStream(tee(stream, name), name, {...options, id}, reading(options))
        image = {...read, source: {kind: 'daemon', name: source.ref, format: read.source.format}}
      } else if (source.kind === 'path') {
        const selection = {...options, image: options.image ?? source.image}
        const read = await readArchiveStream(
          tee(createReadStream(source.path), source.path),
          source.path,
          selection,
          reading(options),
        )
        image = {...read, notes: [...read.notes, streamedNote(source.path, compression!)]}
      } else {
        const stdin = options.stdin ?? (process.stdin as AsyncIterable<Buffer>)
        image = await readArchiveStream(tee(stdin, '-'), '-', options, reading(options))
      }
    } finally {
      await out.close()
    }
    const blobs = await openArchiveStore(spool)
    return {
      image,
      store: blobs.store,
      async close() {
        await blobs.close()
        await remove()
      },
    }
  } catch (error) {
    await remove()
    throw error
  }
}
