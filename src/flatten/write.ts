import {createHash, type Hash} from 'node:crypto'
import {writeSync} from 'node:fs'
import type {FileHandle} from 'node:fs/promises'
import type {PassThrough} from 'node:stream'

import {InputError} from '../errors.js'
import type {HistoryEntry, Image, ImageConfig} from '../image/image.js'
import type {ReadProgress} from '../image/progress.js'
import type {ByteReader} from '../tar/byte-reader.js'
import {decompressing, detectCompression} from '../tar/compression.js'
import {tarMembers} from '../tar/walk.js'
import {compressLayer, type OutputCompression} from './compress.js'
import type {FlattenPlan} from './plan.js'
import type {ImageTag} from './tag.js'
import {BLOCK, END_OF_ARCHIVE, headerBlocks, type OutEntry, padding, plainFile} from '../tar/encode.js'

export type OutputFormat = 'docker-archive' | 'oci-archive'

/** Joins small pieces into chunks of about `size` bytes: one write, one hash update, one compress call each. */
async function* coalesce(source: AsyncIterable<Buffer>, size = 1 << 20): AsyncGenerator<Buffer> {
  let parts: Buffer[] = []
  let bytes = 0
  for await (const part of source) {
    parts.push(part)
    bytes += part.length
    if (bytes >= size) {
      yield Buffer.concat(parts, bytes)
      parts = []
      bytes = 0
    }
  }
  if (bytes > 0) yield Buffer.concat(parts, bytes)
}

/** A layer's stored blob: flatten opens its source with random access, so every layer has one. */
function layerBlob(image: Image, index: number): Promise<{reader: ByteReader; size: number}> {
  const {blob} = image.layers[index]
  if (!blob) throw new Error(`${image.source.name}: layer ${index} was read without random access`)
  return blob()
}

/** The squashed layer's tar bytes, in chunks of about 1 MiB. */
export function squashedTar(plan: FlattenPlan, image: Image): AsyncGenerator<Buffer> {
  return coalesce(squashedPieces(plan, image))
}

/** The squashed layer's tar pieces: entries without content, files copied layer by layer, then hardlinks. */
async function* squashedPieces(plan: FlattenPlan, image: Image): AsyncGenerator<Buffer> {
  for (const entry of plan.meta) yield headerBlocks(entry)
  let index = 0
  while (index < plan.files.length) {
    const layer = plan.files[index].layer
    const wanted = new Map<number, OutEntry>()
    for (; index < plan.files.length && plan.files[index].layer === layer; index++)
      wanted.set(plan.files[index].offset, plan.files[index].entry)
    const where = `${image.source.name}: layer ${layer}`
    const {reader: raw} = await layerBlob(image, layer)
    const {reader, compression} = await decompressing(raw, where)
    if (compression === 'none') {
      // a plain layer: the plan knows where each content starts, so seek there instead of walking headers
      for (const [offset, entry] of wanted) {
        await reader.skip(offset - reader.position)
        yield headerBlocks(entry)
        for (let left = entry.size; left > 0;) {
          const chunk = await reader.read(Math.min(left, 1 << 20))
          if (chunk.length === 0) throw new InputError(`${where}: truncated tar (inside the content of /${entry.path})`)
          left -= chunk.length
          yield chunk
        }
        yield padding(entry.size)
      }
      continue
    }
    for await (const {header, body} of tarMembers(reader, where)) {
      const entry = wanted.get(header.dataOffset)
      if (!entry) continue
      // another member where the planned one was
      if (header.size !== entry.size) throw new InputError(`${where}: the layer changed since it was read`)
      wanted.delete(header.dataOffset)
      yield headerBlocks(entry)
      let copied = 0
      for await (const chunk of body.chunks()) {
        copied += chunk.length
        yield chunk
      }
      if (copied !== entry.size) throw new InputError(`${where}: truncated tar (inside the content of ${header.path})`)
      yield padding(entry.size)
      if (wanted.size === 0) break
    }
    if (wanted.size > 0) throw new InputError(`${where}: the layer changed since it was read`)
  }
  for (const entry of plan.links) yield headerBlocks(entry)
  yield END_OF_ARCHIVE
}

/** Hashes and counts what passes; moves `progress` on by it too, when given. */
export async function* tap(
  source: AsyncIterable<Buffer>,
  hash: Hash,
  count: {bytes: number},
  progress?: ReadProgress,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk)
    count.bytes += chunk.length
    progress?.advance(chunk.length)
    yield chunk
  }
}

/** Where the output archive goes: a file (whose headers can be patched) or a stream with known sizes. */
export interface ArchiveSink {
  position: number
  write(chunk: Buffer): Promise<void>
  /** Rewrites bytes already written (a file); absent for a stream. */
  patch?(offset: number, bytes: Buffer): Promise<void>
  /** Moves back to `position`, dropping what followed (a file); absent for a stream. */
  rewind?(position: number): void
}

export class FileSink implements ArchiveSink {
  position = 0
  constructor(private readonly file: FileHandle) {}

  // Synchronous writes, as the reads: the thread pool's round trip costs more than the page cache copy.
  async write(chunk: Buffer): Promise<void> {
    for (let done = 0; done < chunk.length;)
      done += writeSync(this.file.fd, chunk, done, chunk.length - done, this.position + done)
    this.position += chunk.length
  }

  async patch(offset: number, bytes: Buffer): Promise<void> {
    writeSync(this.file.fd, bytes, 0, bytes.length, offset)
  }

  /** The file is cut to the final position when it is complete (see `end`). */
  rewind(position: number): void {
    this.position = position
  }

  /** Cuts what a rewind left beyond the end. */
  async end(): Promise<void> {
    await this.file.truncate(this.position)
  }
}

export class StreamSink implements ArchiveSink {
  position = 0
  constructor(readonly stream: PassThrough) {}

  async write(chunk: Buffer): Promise<void> {
    this.position += chunk.length
    if (!this.stream.write(chunk)) await new Promise((resolve) => this.stream.once('drain', resolve))
  }
}

function memberHeader(name: string, size: number): Buffer {
  return headerBlocks(plainFile(name, size))
}

/** Writes one member of the outer archive; a size not known in advance is patched in afterwards. */
async function writeMember(
  sink: ArchiveSink,
  name: string | (() => string),
  size: number | undefined,
  data: AsyncIterable<Buffer> | Buffer,
): Promise<number> {
  const start = sink.position
  if (size === undefined && !sink.patch) throw new Error('a stream needs sizes in advance')
  await sink.write(memberHeader(typeof name === 'string' ? name : 'pending', size ?? 0))
  let written = 0
  for await (const chunk of Buffer.isBuffer(data) ? [data] : data) {
    written += chunk.length
    await sink.write(chunk)
  }
  if (size !== undefined && written !== size)
    throw new Error(`member ${String(name)}: wrote ${written} bytes, announced ${size}`)
  await sink.write(padding(written))
  const header = memberHeader(typeof name === 'string' ? name : name(), written)
  if (header.length !== BLOCK) throw new Error('archive member names must fit a ustar header')
  if (size === undefined || typeof name !== 'string') await sink.patch!(start, header)
  return written
}

/** An OCI blob holds one digest once: identical layers (two empty ones, say) share the blob written first. */
function dropRepeatedBlob(sink: ArchiveSink, start: number, path: string, written: Set<string>): void {
  if (written.has(path)) sink.rewind?.(start)
  written.add(path)
}

export interface WrittenImage {
  configDigest: string
  diffIds: string[]
  layerBytes: number
}

export interface FlattenOutput {
  format: OutputFormat
  compression: OutputCompression
  /** The tag the archive names (RepoTags; the OCI index's annotations). */
  tag?: ImageTag
  /** How the history entry names the source: its image ID, the same wherever the source is read from. */
  sourceName: string
  /** The image's `created` time (see created.ts); none when absent. */
  created?: string
  /** Layers kept as they are (--from), with their raw blobs. */
  base: number
}

export function layerMediaType(compression: OutputCompression | 'none' | 'xz' | 'bzip2'): string {
  return compression === 'gzip'
    ? 'application/vnd.oci.image.layer.v1.tar+gzip'
    : compression === 'zstd'
      ? 'application/vnd.oci.image.layer.v1.tar+zstd'
      : 'application/vnd.oci.image.layer.v1.tar'
}

/**
 * The config of the flattened image: runtime config kept, rootfs and history rewritten, nothing that differs
 * between two runs on the same source (the same source gives the same image ID).
 */
export function flattenedConfig(image: Image, output: FlattenOutput, diffIds: string[]): ImageConfig {
  const {base, created} = output
  const history = image.config.history ?? []
  let layers = 0
  const kept: HistoryEntry[] = []
  const squashed: HistoryEntry[] = []
  for (const entry of history) {
    if (layers < base) kept.push(entry)
    else squashed.push(entry)
    if (!entry.empty_layer) layers++
  }
  const comment =
    `flattened ${image.layers.length - base} ` +
    `layers:\n${squashed.map((e) => `${e.empty_layer ? '  (config) ' : '  '}${e.created_by ?? ''}`).join('\n')}`
  return {
    ...image.config,
    created,
    rootfs: {type: 'layers', diff_ids: diffIds},
    history: [...kept, {created, created_by: `docker-layers flatten ${output.sourceName}`, comment}],
  }
}

/**
 * Writes the flattened image as a docker-archive (`docker load`) or an OCI archive: the base layers'
 * blobs as they are, the squashed layer streamed once (hashed for its diff_id and, compressed, for its
 * blob digest), then config and manifests. A stream sink needs every size in advance, so it takes the
 * squashed layer uncompressed, whose size the plan knows. `progress` counts the base blobs' bytes and the squashed
 * layer's uncompressed bytes as they are written.
 */
export async function writeFlattened(
  sink: ArchiveSink,
  image: Image,
  plan: FlattenPlan,
  output: FlattenOutput,
  progress?: ReadProgress,
): Promise<WrittenImage> {
  const sourceIds = image.layers.map((layer) => layer.diffId ?? '')
  const layerPaths: string[] = []
  const blobs = new Set<string>()
  const descriptors: Array<{mediaType: string; digest: string; size: number}> = []
  const baseBlobs = await Promise.all(Array.from({length: output.base}, (_, index) => layerBlob(image, index)))
  progress?.expect(
    baseBlobs.reduce((sum, blob) => sum + blob.size, plan.tarSize),
    output.base + 1,
  )
  for (const [index, {reader, size}] of baseBlobs.entries()) {
    const digest = createHash('sha256')
    const count = {bytes: 0}
    const kind = detectCompression(await reader.peek(6))
    const name =
      output.format === 'oci-archive' ? () => `blobs/sha256/${digest.copy().digest('hex')}` : `base-${index}/layer.tar`
    const start = sink.position
    await writeMember(sink, name, sink.patch ? undefined : size, tap(reader.chunks(), digest, count, progress))
    progress?.layerDone()
    const hex = digest.digest('hex')
    if (output.format === 'oci-archive') dropRepeatedBlob(sink, start, `blobs/sha256/${hex}`, blobs)
    layerPaths.push(output.format === 'oci-archive' ? `blobs/sha256/${hex}` : `base-${index}/layer.tar`)
    descriptors.push({mediaType: layerMediaType(kind), digest: `sha256:${hex}`, size: count.bytes})
  }
  const diffHash = createHash('sha256')
  const blobHash = createHash('sha256')
  const uncompressed = {bytes: 0}
  const compressed = {bytes: 0}
  const tarBytes = tap(squashedTar(plan, image), diffHash, uncompressed, progress)
  const compression = sink.patch ? output.compression : 'uncompressed'
  // uncompressed, the blob is the tar: one hash gives both digests
  const blob: AsyncIterable<Buffer> =
    compression === 'uncompressed' ? tarBytes : tap(compressLayer(tarBytes, compression), blobHash, compressed)
  const blobDigest = () => (compression === 'uncompressed' ? diffHash : blobHash).copy().digest('hex')
  const squashedName = output.format === 'oci-archive' ? () => `blobs/sha256/${blobDigest()}` : 'layer.tar'
  const squashedStart = sink.position
  await writeMember(sink, squashedName, sink.patch ? undefined : plan.tarSize, blob)
  const blobHex = blobDigest()
  if (output.format === 'oci-archive') dropRepeatedBlob(sink, squashedStart, `blobs/sha256/${blobHex}`, blobs)
  progress?.layerDone()
  if (compression === 'uncompressed') compressed.bytes = uncompressed.bytes
  layerPaths.push(output.format === 'oci-archive' ? `blobs/sha256/${blobHex}` : 'layer.tar')
  descriptors.push({
    mediaType: layerMediaType(compression),
    digest: `sha256:${blobHex}`,
    size: compressed.bytes,
  })
  const diffIds = [...sourceIds.slice(0, output.base), `sha256:${diffHash.digest('hex')}`]
  const configDigest = await writeImageFiles(sink, image, output, diffIds, layerPaths, descriptors)
  await sink.write(END_OF_ARCHIVE)
  return {configDigest, diffIds, layerBytes: plan.contentBytes}
}

/**
 * The members that name the layers written before them: the config and `manifest.json` of a docker-archive, or the
 * config, manifest, `index.json` and `oci-layout` of an OCI archive. Returns the config's digest.
 */
export async function writeImageFiles(
  sink: ArchiveSink,
  image: Image,
  output: FlattenOutput,
  diffIds: string[],
  layerPaths: string[],
  descriptors: Array<{mediaType: string; digest: string; size: number}>,
): Promise<string> {
  const config = Buffer.from(JSON.stringify(flattenedConfig(image, output, diffIds)))
  const configHex = createHash('sha256').update(config).digest('hex')
  if (output.format === 'docker-archive') {
    await writeMember(sink, `${configHex}.json`, config.length, config)
    const manifest = Buffer.from(
      JSON.stringify([
        {Config: `${configHex}.json`, RepoTags: output.tag ? [output.tag.familiar] : null, Layers: layerPaths},
      ]),
    )
    await writeMember(sink, 'manifest.json', manifest.length, manifest)
  } else {
    await writeMember(sink, `blobs/sha256/${configHex}`, config.length, config)
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: `sha256:${configHex}`,
          size: config.length,
        },
        layers: descriptors,
      }),
    )
    const manifestHex = createHash('sha256').update(manifest).digest('hex')
    await writeMember(sink, `blobs/sha256/${manifestHex}`, manifest.length, manifest)
    const platform = {
      os: image.config.os ?? 'linux',
      architecture: image.config.architecture ?? 'amd64',
      ...(image.config.variant ? {variant: image.config.variant} : {}),
    }
    const annotations = output.tag
      ? {
          'io.containerd.image.name': output.tag.qualified,
          'org.opencontainers.image.ref.name': output.tag.tag,
        }
      : undefined
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${manifestHex}`,
            size: manifest.length,
            platform,
            ...(annotations ? {annotations} : {}),
          },
        ],
      }),
    )
    await writeMember(sink, 'index.json', index.length, index)
    const layout = Buffer.from('{"imageLayoutVersion":"1.0.0"}')
    await writeMember(sink, 'oci-layout', layout.length, layout)
  }
  return `sha256:${configHex}`
}
