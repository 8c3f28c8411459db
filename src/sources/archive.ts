import type {FileHandle} from 'node:fs/promises'

import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import {ReadProgress} from '../image/progress.js'
import {type LayerContents, LayerContentsBuilder} from '../model/entry.js'
import {type ByteReader, FileRangeReader, openFile, StreamReader} from '../tar/byte-reader.js'
import {type Compression, decompressing, detectCompression} from '../tar/compression.js'
import {type TarHeader, walkTar} from '../tar/walk.js'
import {imageFromStore} from './image-from-store.js'
import type {Selection} from './manifest.js'
import {type LayerReadOptions, readLayer} from './read-layer.js'
import {type ImageStore, resolveLink} from './store.js'

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
export class IndexedTar implements ImageStore {
  readonly directory = false
  private readonly members = new Map<string, Member>()

  private constructor(
    readonly name: string,
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  /** Opens and indexes an archive file; `name` is how messages call it. */
  static async open(path: string, name = path): Promise<IndexedTar> {
    const {file, size} = await openFile(path)
    const store = new IndexedTar(name, file, size)
    try {
      const {reader, compression} = await archiveTar(new FileRangeReader(file, 0, size), name)
      if (compression !== 'none') throw new Error(`${name}: a compressed archive is read as a stream`)
      await walkTar(reader, name, ({header}) => {
        if (header.type !== 'dir') addMember(store, store.members, header)
      })
    } catch (error) {
      await file.close()
      throw error
    }
    return store
  }

  has(path: string): boolean {
    return this.members.has(path)
  }

  paths(): Iterable<string> {
    return this.members.keys()
  }

  private range(path: string): ByteReader {
    if (path === '') return new FileRangeReader(this.file, 0, this.size)
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
    progress.layerDone(path === '' ? this.size : linkTarget(this, this.members, path).header.size)
    return layer
  }

  close(): Promise<void> {
    return this.file.close()
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
export class StreamedTar implements ImageStore {
  readonly directory = false
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
    if (path === '') {
      // a flat export: the archive's own members are the layer
      const builder = new LayerContentsBuilder(where)
      for (const header of this.headers) builder.add(header)
      return builder.contents
    }
    const layer = this.layers.get(this.resolve(path))
    if (!layer) throw new InputError(`${where}: not a layer tar`)
    return layer
  }

  async close(): Promise<void> {}
}

/** An image archive file (docker save, OCI layout tar, docker export), read with random access until `close`. */
export async function openArchiveFile(
  path: string,
  selection: Selection,
  reading: LayerReadOptions = {progress: new ReadProgress()},
): Promise<Image> {
  const store = await IndexedTar.open(path)
  try {
    return await imageFromStore(store, selection, reading)
  } catch (error) {
    await store.close()
    throw error
  }
}

/** An image archive read once from a stream; `name` is how messages call it ("-" for stdin). */
export async function readArchiveStream(
  stream: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>,
  name: string,
  selection: Selection,
  reading: LayerReadOptions = {progress: new ReadProgress()},
): Promise<Image> {
  const store = new StreamedTar(name)
  await store.consume(new StreamReader(stream), reading)
  return imageFromStore(store, selection, reading)
}
