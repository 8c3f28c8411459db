import type {Bytes, Count} from '../analysis/figures.js'
import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import type {Image, SourceInfo} from '../image/image.js'
import type {RegistryOptions} from '../registry/client.js'
import type {ReadProgress} from '../image/progress.js'
import {baseLayerCount} from './base.js'
import type {OutputCompression} from './compress.js'
import {createdTime} from './created.js'
import type {Cleanup} from './interrupt.js'
import {loadIntoEngine} from './into-engine.js'
import {type OutputJob, type Reopen, type Written, writeArchiveFile} from './outputs.js'
import {planFlatten} from './plan.js'
import {pushToRegistry} from './push.js'
import {type ImageTag, parseImageTag} from './tag.js'
import type {OutputFormat} from './write.js'

/**
 * Where the flattened image goes: an archive file (naming a tag or none), the engine's image store under a tag, or
 * a registry (`docker://HOST/REPO:TAG`).
 */
export type FlattenTarget =
  | {file: string; format: OutputFormat; compression: OutputCompression; tag?: string}
  | {tag: string; engine: EngineOptions}
  | {registry: string; options: RegistryOptions; compression: OutputCompression}

export interface FlattenRequest {
  target: FlattenTarget
  /** `--from`: a layer index, a diff_id (prefix) or a base image whose layers stay as they are. */
  from?: string
  /** The source as the user named it, for messages (the history entry names its image ID). */
  sourceName: string
  /** Opens another image: a `--from` base. */
  open: (reference: string) => Promise<Image>
  /** Opens the written image, its contents hashed, and compares it with the source (`--verify`). */
  verify?: Reopen
  /** The `SOURCE_DATE_EPOCH` environment variable: the image's `created` time instead of the source's. */
  sourceDateEpoch?: string
  /** Starts a phase of the work (`writing app-flat.tar (zstd)`), whose progress the caller may show. */
  phase?: (label: string) => ReadProgress
}

/** An image's size: its layers and the content bytes they hold. */
export interface ImageSize {
  layers: Count
  bytes: Bytes
}

/**
 * `flatten SOURCE --format json`: what was squashed into what, where it went, and what --verify found.
 * @title docker-layers flatten report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/flatten.json
 */
export interface FlattenReport {
  schemaVersion: 1
  source: SourceInfo
  /**
   * The archive written (-o) and the tag it names (-t with -o), the tag loaded into the engine (-t alone), or the
   * registry tag pushed (-t docker://…) with its manifest's digest.
   */
  output:
    | {file: string; format: OutputFormat; compression: OutputCompression; tag?: string}
    | {tag: string}
    | {tag: string; digest: string; compression: OutputCompression}
  /**
   * The written image's ID: its config digest; with `-t`, the ID the engine gives the tag (on containerd's image
   * store, its manifest's digest), as `docker images` shows it.
   */
  id: string
  before: ImageSize
  after: ImageSize
  savedBytes: Bytes
  /** Paths `--verify` found equal, or null without it. */
  verified: Count | null
}

/**
 * Squashes `image` (opened with random access) into one layer above its kept base and writes it where the request
 * says, leaving nothing behind on failure (`cleanup` holds what to undo).
 */
export async function flatten(image: Image, request: FlattenRequest, cleanup: Cleanup): Promise<FlattenReport> {
  if (image.source.kind === 'docker-export')
    throw new InputError(
      `${request.sourceName}: a docker export tarball is already one layer with no config to keep; nothing to flatten`,
    )
  const {target} = request
  const tag = 'registry' in target || target.tag === undefined ? undefined : parseImageTag(target.tag)
  const created = createdTime(image.config.created, request.sourceDateEpoch)
  const base = request.from ? await baseLayerCount(image, request.from, request.open) : 0
  const plan = planFlatten(image, base)
  const output = {
    format: 'file' in target ? target.format : ('docker-archive' as const),
    compression: 'engine' in target ? ('uncompressed' as const) : target.compression,
    tag,
    sourceName: image.id ?? request.sourceName,
    created,
    base,
  }
  const progress = request.phase?.(
    'file' in target
      ? `writing ${target.file}${output.compression === 'uncompressed' ? '' : ` (${output.compression})`}`
      : 'engine' in target
        ? `loading into the engine as ${(tag as ImageTag).familiar}`
        : `pushing to ${target.registry}${output.compression === 'uncompressed' ? '' : ` (${output.compression})`}`,
  )
  const job: OutputJob = {image, plan, output, cleanup, verify: request.verify, progress}
  let written: Written
  let where: FlattenReport['output']
  let id: string | undefined
  if ('file' in target) {
    written = await writeArchiveFile(target.file, job)
    where = {file: target.file, format: output.format, compression: output.compression, ...(tag && {tag: tag.familiar})}
  } else if ('engine' in target) {
    const loaded = await loadIntoEngine((tag as ImageTag).familiar, target.engine, job)
    written = loaded
    id = loaded.imageId
    where = {tag: (tag as ImageTag).familiar}
  } else {
    const {registry, options} = target
    const pushed = await pushToRegistry(registry, options, job)
    written = pushed
    where = {tag: target.registry, digest: pushed.manifestDigest, compression: output.compression}
  }
  const bytes = image.layers.map((layer) => layer.contents.bytes)
  const before = bytes.reduce((sum, n) => sum + n, 0)
  const after = bytes.slice(0, base).reduce((sum, n) => sum + n, 0) + plan.contentBytes
  return {
    schemaVersion: 1,
    source: image.source,
    output: where,
    id: id ?? written.configDigest,
    before: {layers: image.layers.length, bytes: before},
    after: {layers: base + 1, bytes: after},
    savedBytes: before - after,
    verified: request.verify ? written.verifiedPaths : null,
  }
}
