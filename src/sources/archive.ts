import type {FileHandle} from 'node:fs/promises'

import {InputError} from '../errors.js'
import {type LayerContents, LayerContentsBuilder} from '../model/entry.js'
import {type ByteReader, FileRangeReader, openFile, StreamReader} from '../tar/byte-reader.js'
import {type Compression, decompressing, detectCompression} from '../tar/compression.js'
import {type TarHeader, walkTar} from '../tar/walk.js'
import {type ArchiveStore, resolveLink, type SeekableStore} from './archive-store.js'
import type {Image, SourceInfo} from './image.js'
import {resolveImage, type Selection} from './manifest.js'
import {ReadProgress} from './progress.js'
import {type LayerReadOptions, readLayer} from './read-layer.js'

/** Metadata members (manifests, configs, indexes) larger than this are refused. */
const MAX_METADATA = 64 << 20

interface Member {
  header: TarHeader
}

function linkTarget(store: {name: string}, members: Map<string, Member>, path: string): Member {
  let member = members.get(path)
  for (let hops = 0; member && (member.header.type === 'symlink' || member.header.type === 'hardlink'); hops++) {
    const target =
      member.header.type === 'symlink'
        ? resolveLink(path, member.header.linkpath)
        : member.header.linkpath.replace(/^\.?\//, '')
    if (target === undefined || hops > 16)
      throw new InputError(`${store.name}: ${path} links outside the archive (${member.header.linkpath})`)
    path = target
    member = members.get(path)
  }
  if (!member) throw new InputError(`${store.name}: ${path} is missing from the archive`)
  return member
}

function normalizeMember(path: string): string {
  return path.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')
}

/** Records an archive member; an image archive never holds one path twice, so a second one is an error. */
function addMember(store: {name: string}, members: Map<string, Member>, header: TarHeader): string {
  const path = normalizeMember(header.path)
  if (members.has(path)) throw new InputError(`${store.name}: ${path} appears twice in the archive`)
  members.set(path, {header})
  return path
}

/** A tar file read with random access: one pass over the headers, then only the members needed. */
class IndexedTar implements SeekableStore {
  private readonly members = new Map<string, Member>()
  private headers: TarHeader[] = []

  constructor(
    readonly name: string,
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  async index(): Promise<void> {
    const {reader, compression} = await archiveTar(new FileRangeReader(this.file, 0, this.size), this.name)
    if (compression !== 'none') throw new Error(`${this.name}: a compressed archive is read as a stream`)
    await walkTar(reader, this.name, ({header}) => {
      this.headers.push(header)
      if (header.type !== 'dir') addMember(this, this.members, header)
    })
  }

  has(path: string): boolean {
    return this.members.has(path)
  }

  paths(): Iterable<string> {
    return this.members.keys()
  }

  private range(path: string): ByteReader {
    const {header} = linkTarget(this, this.members, path)
    return new FileRangeReader(this.file, header.dataOffset, header.dataOffset + header.size)
  }

  async blob(path: string): Promise<{reader: ByteReader; size: number}> {
    return {reader: this.range(path), size: linkTarget(this, this.members, path).header.size}
  }

  async readText(path: string): Promise<string> {
    const {header} = linkTarget(this, this.members, path)
    if (header.size > MAX_METADATA)
      throw new InputError(`${this.name}: ${path} is too large for a metadata file (${header.size} bytes)`)
    return (await this.range(path).read(header.size)).toString('utf8')
  }

  async layer(path: string, where: string, {progress, hash}: LayerReadOptions): Promise<LayerContents> {
    const reader = this.range(path)
    progress.follow(reader)
    const layer = await readLayer(reader, where, hash)
    progress.layerDone(linkTarget(this, this.members, path).header.size)
    return layer
  }

  exportHeaders(): TarHeader[] {
    return this.headers
  }
}

/** Where a docker-save or OCI archive keeps its layer blobs. */
function mayBeLayer(path: string): boolean {
  return (
    /^[^/]+\/layer\.tar$/.test(path) ||
    /^blobs\/[^/]+\/[^/]+$/.test(path) ||
    /^[^/]+\.(tar|tar\.gz|tgz|tar\.zst)$/.test(path)
  )
}

function looksLikeTar(block: Buffer): boolean {
  if (block.length < 512) return false
  if (block.every((b) => b === 0)) return true
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]
  return sum === Number.parseInt(block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim(), 8)
}

/**
 * The tar inside an image archive: its bytes as they are, or decompressed when the whole archive was compressed
 * (`docker save app | gzip`, which `docker load` takes too). Anything else is not an image.
 */
export async function archiveTar(
  reader: ByteReader,
  name: string,
): Promise<{reader: ByteReader; compression: Compression}> {
  const head = await reader.peek(512)
  if (head.length === 0) throw new InputError(`${name}: empty, not an image archive`)
  const kind = detectCompression(head)
  if (kind === 'xz' || kind === 'bzip2')
    throw new InputError(`${name}: an ${kind}-compressed archive is not read; decompress it, or use gzip or zstd`)
  const found = kind === 'none' ? {reader, compression: kind} : await decompressing(reader, name)
  if (!looksLikeTar(await found.reader.peek(512)))
    throw new InputError(
      kind === 'none'
        ? `${name}: not an image: neither a tar archive nor a gzip or zstd compressed one`
        : `${name}: not an image: the ${kind} data is not a tar archive`,
    )
  return found
}

/** A tar read once, front to back (stdin, the engine's save stream): layers are parsed as they pass. */
class StreamedTar implements ArchiveStore {
  private readonly members = new Map<string, Member>()
  private readonly texts = new Map<string, Buffer>()
  private readonly layers = new Map<string, LayerContents>()
  private readonly headers: TarHeader[] = []

  constructor(readonly name: string) {}

  async consume(raw: ByteReader, {progress, hash}: LayerReadOptions): Promise<void> {
    progress.follow(raw)
    const {reader} = await archiveTar(raw, this.name)
    await walkTar(reader, this.name, async ({header, body}) => {
      this.headers.push(header)
      if (header.type === 'dir') return
      const path = addMember(this, this.members, header)
      if (header.type !== 'file') return
      const head = await body.peek(512)
      const layerLike = mayBeLayer(path) && (detectCompression(head) !== 'none' || looksLikeTar(head))
      if (layerLike) {
        this.layers.set(path, await readLayer(body, `${this.name}: ${path}`, hash))
        progress.layerDone()
      } else if (header.size <= MAX_METADATA) {
        this.texts.set(path, await body.read(header.size))
      }
    })
    // Read the stream to its end (tar writers pad to a record size) so that its source can close.
    await reader.skip(Number.MAX_SAFE_INTEGER)
  }

  has(path: string): boolean {
    return this.members.has(path)
  }

  paths(): Iterable<string> {
    return this.members.keys()
  }

  private resolve(path: string): string {
    const {header} = linkTarget(this, this.members, path)
    return normalizeMember(header.path)
  }

  async readText(path: string): Promise<string> {
    const text = this.texts.get(this.resolve(path))
    if (!text) throw new InputError(`${this.name}: ${path} is not a metadata file`)
    return text.toString('utf8')
  }

  async layer(path: string, where: string): Promise<LayerContents> {
    const layer = this.layers.get(this.resolve(path))
    if (!layer) throw new InputError(`${where}: not a layer tar`)
    return layer
  }

  exportHeaders(): TarHeader[] {
    return this.headers
  }
}

/** Turns an archive's files into the Image shape: a docker save, an OCI layout, or a flat export. */
export async function imageFromStore(
  store: ArchiveStore,
  kind: 'archive' | 'layout',
  selection: Selection,
  options: LayerReadOptions = {progress: new ReadProgress()},
): Promise<Image> {
  const resolved = await resolveImage(store, selection)
  if (!resolved) {
    const headers = store.exportHeaders()
    if (!headers || kind === 'layout') throw new InputError(`${store.name}: no index.json: not an OCI image layout`)
    const builder = new LayerContentsBuilder(`${store.name}`)
    for (const header of headers) builder.add(header)
    return {
      source: {kind: 'docker-export', name: store.name, format: 'export'},
      repoTags: [],
      config: {},
      layers: [{location: store.name}],
      contents: [builder.contents],
      notes: [],
    }
  }
  const contents: LayerContents[] = []
  options.progress.expect(store.size, resolved.layers.length)
  for (const [index, layer] of resolved.layers.entries()) {
    const where = `${store.name}: layer ${index} (${layer.diffId ?? layer.location})`
    if (!store.has(layer.location)) throw new InputError(`${where} is missing from the archive`)
    contents.push(await store.layer(layer.location, where, options))
  }
  const diffIds = resolved.config.rootfs?.diff_ids
  if (diffIds && diffIds.length !== resolved.layers.length) {
    throw new InputError(
      `${store.name}: the config lists ${diffIds.length} layers but the manifest ${resolved.layers.length}`,
    )
  }
  const sourceKind: SourceInfo['kind'] =
    resolved.format === 'dir'
      ? 'dir'
      : resolved.format === 'oci'
        ? kind === 'layout'
          ? 'oci-layout'
          : 'oci-archive'
        : 'docker-archive'
  return {
    source: {kind: sourceKind, name: store.name, format: resolved.format},
    id: resolved.id,
    repoTags: resolved.repoTags,
    config: resolved.config,
    layers: resolved.layers,
    contents,
    notes: resolved.notes,
  }
}

/** An image read from a file or directory whose blobs stay open for reading again until `close`. */
export interface OpenedImage {
  image: Image
  store: SeekableStore
  close(): Promise<void>
}

/** An image archive file (docker save, OCI layout tar), its blobs kept open for a second read. */
export async function openArchiveFile(
  path: string,
  selection: Selection,
  options?: LayerReadOptions,
): Promise<OpenedImage> {
  const {file, size} = await openFile(path)
  try {
    const store = new IndexedTar(path, file, size)
    await store.index()
    return {image: await imageFromStore(store, 'archive', selection, options), store, close: () => file.close()}
  } catch (error) {
    await file.close()
    throw error
  }
}

/** The blobs of an archive file, for a second read of an image already parsed from its stream. */
export async function openArchiveStore(path: string): Promise<{store: SeekableStore; close(): Promise<void>}> {
  const {file, size} = await openFile(path)
  const store = new IndexedTar(path, file, size)
  try {
    await store.index()
  } catch (error) {
    await file.close()
    throw error
  }
  return {store, close: () => file.close()}
}

/** An image archive file (docker save, OCI layout tar, docker export), read with random access. */
export async function readArchiveFile(path: string, selection: Selection, options?: LayerReadOptions): Promise<Image> {
  const opened = await openArchiveFile(path, selection, options)
  await opened.close()
  return opened.image
}

/** An image archive read once from a stream; `name` is how messages call it ("-" for stdin). */
export async function readArchiveStream(
  stream: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>,
  name: string,
  selection: Selection,
  options: LayerReadOptions = {progress: new ReadProgress()},
): Promise<Image> {
  const store = new StreamedTar(name)
  await store.consume(new StreamReader(stream), options)
  return imageFromStore(store, 'archive', selection, options)
}
