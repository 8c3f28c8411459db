import {existsSync, statSync} from 'node:fs'

import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import {readArchiveFile, readArchiveStream} from './archive.js'
import {readDaemonImage} from './daemon.js'
import type {Image} from './image.js'
import {readLayoutDir} from './layout-dir.js'
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

async function readPath(path: string, options: SourceOptions): Promise<Image> {
  if (!existsSync(path)) throw new InputError(`cannot read ${path}: no such file or directory`)
  return statSync(path).isDirectory() ? readLayoutDir(path, options, reading(options)) : readArchiveFile(path, options, reading(options))
}

/**
 * Picks the source in one place: `-` is an archive on stdin, an existing path is an archive or a layout,
 * a skopeo transport name says what follows, anything else is an image in the engine.
 */
export async function openSource(argument: string, options: SourceOptions = {}): Promise<Image> {
  if (argument === '-') return readArchiveStream(options.stdin ?? process.stdin, '-', options, reading(options))
  if (existsSync(argument) || looksLikePath(argument)) return readPath(argument, options)
  const transport = /^([a-z][a-z-]*):(?!\/\/)(.*)$/s.exec(argument)
  if (argument.startsWith('docker://')) throw new InputError(`${argument}: registry images are not read (nothing is pulled); pull it, then analyze the local image`)
  if (transport) {
    const [, name, rest] = transport
    switch (name) {
      case 'docker-daemon': {
        return readDaemonImage(rest, options.engine ?? {}, reading(options))
      }
      case 'docker-archive': {
        const [path, image] = splitRef(rest)
        return readPath(path, {...options, image: options.image ?? image})
      }
      case 'oci':
      case 'oci-archive': {
        const [path, image] = splitRef(rest)
        return readPath(path, {...options, image: options.image ?? image})
      }
      default: {
        if (UNSUPPORTED.includes(name)) throw new InputError(`unsupported transport ${name}: (use docker-daemon:, docker-archive:, oci: or oci-archive:)`)
      }
    }
  }
  return readDaemonImage(argument, options.engine ?? {}, reading(options))
}
