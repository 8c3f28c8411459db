import {closeSync, constants, fstatSync, openSync, readSync, realpathSync} from 'node:fs'
import {dirname, join, sep} from 'node:path'
import {createInterface} from 'node:readline'
import {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'

import {InputError} from '../errors.js'
import type {ByteReader} from '../tar/byte-reader.js'
import {Crc64} from '../tar/crc64.js'

/** One record of a tar-split file: raw tar bytes (headers, padding), or a file's content left on disk. */
type Piece = {bytes: Buffer} | {file: string; size: number; crc: Buffer | undefined}

interface Record {
  type: number
  name?: string
  name_raw?: string
  size?: number
  payload?: string | null
}

/** The records of a `tar-split.json.gz`, in batches as gunzip hands them out. */
async function* records(gzipped: Readable, where: string): AsyncGenerator<Piece[]> {
  const lines = createInterface({input: gzipped.pipe(createGunzip()), crlfDelay: Infinity})
  let batch: Piece[] = []
  try {
    for await (const line of lines) {
      if (line === '') continue
      let record: Record
      try {
        record = JSON.parse(line) as Record
      } catch {
        throw new InputError(`${where}: tar-split record is not JSON`)
      }
      if (record.type === 2) batch.push({bytes: Buffer.from(record.payload ?? '', 'base64')})
      else if (record.type === 1 && (record.size ?? 0) > 0) {
        const file = record.name_raw ? Buffer.from(record.name_raw, 'base64').toString('latin1') : (record.name ?? '')
        batch.push({file, size: record.size!, crc: record.payload ? Buffer.from(record.payload, 'base64') : undefined})
      }
      if (batch.length >= 256) {
        yield batch
        batch = []
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`${where}: tar-split is unreadable (${(error as Error).message})`)
  }
  if (batch.length > 0) yield batch
}

type FilePiece = Extract<Piece, {file: string}>

/** A file of a layer directory being read: its descriptor and the CRC-64 of what was read from its start. */
interface OpenFile {
  piece: FilePiece
  fd: number
  crc: Crc64 | undefined
  verifiedTo: number
}

/**
 * A layer's uncompressed tar as the docker engine rebuilds it for `docker save`: tar-split's recorded bytes (every
 * header and padding byte of the original tar), with each file's content read from the layer directory where the
 * engine unpacked it. Passing over a content costs nothing, so the tar walker reads a layer's entries without
 * touching its files; content that is read is checked against the size and CRC-64 tar-split recorded, so a layer
 * changed on disk is an error, never a silent mix.
 */
export class TarSplitReader implements ByteReader {
  private readonly batches: AsyncGenerator<Piece[]>
  private queue: Piece[] = []
  /** Bytes of queue[0] already consumed. */
  private offset = 0
  private consumed = 0
  private available = 0
  private ended = false
  private open: OpenFile | undefined
  private readonly realDirs = new Map<string, string>()
  private readonly root: string

  constructor(
    tarSplit: Readable,
    private readonly layerDir: string,
    private readonly where: string,
  ) {
    this.batches = records(tarSplit, where)
    try {
      this.root = realpathSync(layerDir)
    } catch {
      throw new InputError(`${where}: the layer directory ${layerDir} is missing (the image changed on disk)`)
    }
  }

  get position(): number {
    return this.consumed
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false
    const next = await this.batches.next()
    if (next.done) {
      this.ended = true
      return false
    }
    for (const piece of next.value) this.available += 'bytes' in piece ? piece.bytes.length : piece.size
    this.queue.push(...next.value)
    return true
  }

  private async fill(n: number): Promise<void> {
    while (this.available < n && (await this.more()));
  }

  /** The file's real path, refused when it would leave the layer directory (no symlink is followed out). */
  private openFile(name: string): number {
    const relative = name.replace(/^(\.\/|\/)+/, '')
    if (relative.split('/').includes('..')) throw new InputError(`${this.where}: file ${name} leaves the layer`)
    const full = join(this.layerDir, relative)
    const parent = dirname(full)
    let real = this.realDirs.get(parent)
    if (real === undefined) {
      try {
        real = realpathSync(parent)
      } catch {
        throw new InputError(`${this.where}: ${name} is missing from the layer directory (the layer changed on disk)`)
      }
      this.realDirs.set(parent, real)
    }
    if (real !== this.root && !real.startsWith(this.root + sep))
      throw new InputError(`${this.where}: ${name} is outside the layer directory`)
    try {
      return openSync(join(real, full.slice(parent.length + 1)), constants.O_RDONLY | constants.O_NOFOLLOW)
    } catch (error) {
      throw new InputError(
        `${this.where}: cannot read ${name} from the layer directory (${(error as NodeJS.ErrnoException).code})`,
      )
    }
  }

  /** Content bytes [from, from + length) of a file piece, checked against tar-split as they are read in order. */
  private fileBytes(piece: FilePiece, from: number, length: number) {
    if (this.open?.piece !== piece) {
      this.closeFile()
      const fd = this.openFile(piece.file)
      if (fstatSync(fd).size !== piece.size) {
        closeSync(fd)
        throw new InputError(`${this.where}: ${piece.file} has changed size on disk since the layer was stored`)
      }
      this.open = {piece, fd, crc: piece.crc ? new Crc64() : undefined, verifiedTo: 0}
    }
    const out = Buffer.allocUnsafe(length)
    for (let done = 0; done < length;) {
      const n = readSync(this.open.fd, out, done, length - done, from + done)
      if (n === 0) throw new InputError(`${this.where}: ${piece.file} is shorter on disk than tar-split records`)
      done += n
    }
    const {open} = this
    if (open.crc && open.verifiedTo === from) {
      open.crc.update(out)
      open.verifiedTo += length
      if (open.verifiedTo === piece.size && !open.crc.digest().equals(piece.crc!))
        throw new InputError(`${this.where}: ${piece.file} has changed on disk since the layer was stored (CRC-64)`)
    }
    return out
  }

  private closeFile(): void {
    if (this.open) closeSync(this.open.fd)
    this.open = undefined
  }

  /** Consumes `n` bytes at hand (n <= available): copies them out, or only passes over them. */
  private take(n: number, copy: boolean, consume = true): Buffer | undefined {
    const parts: Buffer[] = []
    let index = 0
    let offset = this.offset
    for (let left = n; left > 0;) {
      const piece = this.queue[index]
      const size = 'bytes' in piece ? piece.bytes.length : piece.size
      const step = Math.min(left, size - offset)
      if (copy) {
        parts.push('bytes' in piece ? piece.bytes.subarray(offset, offset + step) : this.fileBytes(piece, offset, step))
      }
      left -= step
      offset += step
      if (offset === size) {
        if (consume && this.open?.piece === piece) this.closeFile()
        index++
        offset = 0
      }
    }
    if (consume) {
      this.queue.splice(0, index)
      this.offset = offset
      this.available -= n
      this.consumed += n
    }
    if (!copy) return undefined
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n)
  }

  async read(n: number): Promise<Buffer> {
    await this.fill(n)
    return this.take(Math.min(n, this.available), true) as Buffer
  }

  async peek(n: number): Promise<Buffer> {
    await this.fill(n)
    return this.take(Math.min(n, this.available), true, false) as Buffer
  }

  async skip(n: number): Promise<number> {
    let passed = 0
    while (passed < n && (this.available > 0 || (await this.more()))) {
      const step = Math.min(n - passed, this.available)
      this.take(step, false)
      passed += step
    }
    return passed
  }

  readNow(n: number): Buffer | undefined {
    return this.available >= n ? (this.take(n, true) as Buffer) : undefined
  }

  skipNow(n: number): number | undefined {
    if (this.available === 0) return undefined
    const step = Math.min(n, this.available)
    this.take(step, false)
    return step
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await this.read(1 << 20)
      if (chunk.length === 0) return
      yield chunk
    }
  }
}
