import {existsSync, rmSync, statSync, writeSync} from 'node:fs'
import {mkdtemp, open, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import {openArchiveFile, openArchiveStore, type OpenedImage, readArchiveFile, readArchiveStream} from './archive.js'
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

const UNSUPPORTED = ['dir', 'containers-storage', 'ostree', 'sif', 'tarball']

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
 * Picks the source in one place: `-` is an archive on stdin, an existing path is an archive or a layout,
 * a skopeo transport name says what follows, anything else is an image in the engine.
 */
export function parseSource(argument: string): SourceRef {
  if (argument === '-') return {kind: 'stdin'}
  if (existsSync(argument) || looksLikePath(argument)) return {kind: 'path', path: argument}
  if (argument.startsWith('docker://'))
    throw new InputError(
      `${argument}: registry images are not read (nothing is pulled); pull it, then analyze the local image`,
    )
  const transport = /^([a-z][a-z-]*):(?!\/\/)(.*)$/s.exec(argument)
  if (transport) {
    const [, name, rest] = transport
    if (name === 'docker-daemon') return {kind: 'daemon', ref: rest}
    if (name === 'docker-archive' || name === 'oci' || name === 'oci-archive') {
      const [path, image] = splitRef(rest)
      return {kind: 'path', path, image}
    }
    if (UNSUPPORTED.includes(name))
      throw new InputError(`unsupported transport ${name}: (use docker-daemon:, docker-archive:, oci: or oci-archive:)`)
  }
  return {kind: 'daemon', ref: argument}
}

function checkPath(path: string): void {
  if (!existsSync(path)) throw new InputError(`cannot read ${path}: no such file or directory`)
}

/** Reads the image SOURCE names, from whichever source holds it. */
export async function openSource(argument: string, options: SourceOptions = {}): Promise<Image> {
  const source = parseSource(argument)
  if (source.kind === 'stdin') return readArchiveStream(options.stdin ?? process.stdin, '-', options, reading(options))
  if (source.kind === 'daemon') return readDaemonImage(source.ref, options.engine ?? {}, reading(options))
  checkPath(source.path)
  const selection = {...options, image: options.image ?? source.image}
  return statSync(source.path).isDirectory()
    ? readLayoutDir(source.path, selection, reading(options))
    : readArchiveFile(source.path, selection, reading(options))
}

/**
 * Opens SOURCE so that its layer blobs can be read a second time: a file or layout in place; stdin and
 * the engine's save stream are read once, parsed as they pass and written to a temporary archive that
 * `close` removes.
 */
export async function openSeekable(argument: string, options: SourceOptions = {}): Promise<OpenedImage> {
  const source = parseSource(argument)
  if (source.kind === 'path') {
    checkPath(source.path)
    const selection = {...options, image: options.image ?? source.image}
    return statSync(source.path).isDirectory()
      ? openLayoutDir(source.path, selection, reading(options))
      : openArchiveFile(source.path, selection, reading(options))
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
    // one read of the stream: its layers are parsed as it passes while it is written to the spool, which
    // later serves only the bytes the caller copies
    const out = await open(spool, 'w')
    async function* tee(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        for (let done = 0; done < chunk.length;) done += writeSync(out.fd, chunk, done, chunk.length - done)
        yield chunk
      }
    }
    let image: Image
    try {
      if (source.kind === 'daemon') {
        const {stream, id} = await saveStream(source.ref, options.engine ?? {})
        const read = await readArchiveStream(
          tee(stream),
          `docker-daemon:${source.ref}`,
          {...options, id},
          reading(options),
        )
        image = {...read, source: {kind: 'daemon', name: source.ref, format: read.source.format}}
      } else {
        image = await readArchiveStream(
          tee(options.stdin ?? (process.stdin as AsyncIterable<Buffer>)),
          '-',
          options,
          reading(options),
        )
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
