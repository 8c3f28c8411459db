import {readSync} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'

import {InputError} from '../errors.js'

/**
 * A forward-only byte source. A file reader seeks past what `skip` passes over; a stream reader has to
 * consume it. Tar walking, layer detection and decompression all work on this one shape.
 */
export interface ByteReader {
  /** Bytes consumed so far, counted from where this reader started. */
  readonly position: number
  /** Exactly `n` bytes, or fewer only at the end of the data. */
  read(n: number): Promise<Buffer>
  /** Up to `n` bytes without consuming them. */
  peek(n: number): Promise<Buffer>
  /** Passes over `n` bytes; fewer only at the end of the data. Returns how many were passed. */
  skip(n: number): Promise<number>
  /** `read` without waiting: the bytes when they are at hand (buffered, or a file), else undefined. */
  readNow(n: number): Buffer | undefined
  /** `skip` without waiting: how many were passed, or undefined (nothing passed) when that means waiting. */
  skipNow(n: number): number | undefined
  /** The remaining bytes, as chunks, consumed as they are yielded. */
  chunks(): AsyncGenerator<Buffer>
}

const CHUNK = 1 << 20
/**
 * When a reader has skipped this far since its last read, the next read takes only what is asked for
 * (a tar header) instead of a whole chunk: one small read costs less than copying this many bytes.
 */
const SPARSE_GAP = 4096

/**
 * Random-access reads of the byte range [start, end) of an open file. Reads are synchronous (the thread
 * pool's round trip costs more than a read from the page cache) and sized by the access pattern: whole
 * chunks while the reader moves through the data, single headers while it skips over large contents.
 */
export class FileRangeReader implements ByteReader {
  private buffer = Buffer.alloc(0)
  private bufferStart: number
  private offset: number
  private skipped = 0

  constructor(
    private readonly file: FileHandle,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.offset = start
    this.bufferStart = start
  }

  get position(): number {
    return this.offset - this.start
  }

  private fill(n: number): void {
    const have = this.bufferStart + this.buffer.length - this.offset
    if (have >= n) return
    const want = Math.min(Math.max(n, this.skipped >= SPARSE_GAP ? 0 : CHUNK), this.end - this.offset)
    if (want <= 0) return
    const next = Buffer.allocUnsafe(want)
    const kept = Math.max(0, have)
    if (kept > 0) this.buffer.copy(next, 0, this.offset - this.bufferStart)
    let filled = kept
    while (filled < want) {
      const bytesRead = readSync(this.file.fd, next, filled, want - filled, this.offset + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    this.buffer = next.subarray(0, filled)
    this.bufferStart = this.offset
  }

  private peekNow(n: number): Buffer {
    this.fill(n)
    const from = this.offset - this.bufferStart
    return this.buffer.subarray(from, from + Math.min(n, this.end - this.offset))
  }

  async peek(n: number): Promise<Buffer> {
    return this.peekNow(n)
  }

  readNow(n: number): Buffer {
    const bytes = this.peekNow(n)
    this.offset += bytes.length
    this.skipped = 0
    return bytes
  }

  async read(n: number): Promise<Buffer> {
    return this.readNow(n)
  }

  skipNow(n: number): number {
    const passed = Math.min(n, this.end - this.offset)
    this.offset += passed
    this.skipped += passed
    return passed
  }

  async skip(n: number): Promise<number> {
    return this.skipNow(n)
  }

  async *chunks(): AsyncGenerator<Buffer> {
    while (this.offset < this.end) {
      const chunk = this.readNow(Math.min(CHUNK, this.end - this.offset))
      if (chunk.length === 0) return
      yield chunk
    }
  }
}

/** Opens a file for range readers, with a clear error for an unreadable path. */
export async function openFile(path: string): Promise<{file: FileHandle; size: number}> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  const stat = await file.stat()
  if (stat.isDirectory()) {
    await file.close()
    throw new InputError(`${path} is a directory`)
  }
  return {file, size: stat.size}
}

/** Reads from an async iterable of chunks (stdin, the engine's save stream, a decompressor). */
export class StreamReader implements ByteReader {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private done = false
  private consumed = 0
  private readonly iterator: AsyncIterator<Buffer | Uint8Array | string> | Iterator<Buffer | Uint8Array | string>

  constructor(source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  }

  get position(): number {
    return this.consumed
  }

  private async fill(n: number): Promise<void> {
    while (this.pendingBytes < n && !this.done) {
      const next = await this.iterator.next()
      if (next.done) {
        this.done = true
        break
      }
      const chunk =
        typeof next.value === 'string'
          ? Buffer.from(next.value)
          : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength)
      if (chunk.length === 0) continue
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
    }
  }

  /** Up to `n` of the buffered bytes, joining chunks when a read spans them. */
  private head(n: number): Buffer {
    if (this.pending.length === 0) return Buffer.alloc(0)
    if (this.pending[0].length >= n) return this.pending[0].subarray(0, n)
    const joined = Buffer.concat(this.pending)
    this.pending = [joined]
    return joined.subarray(0, n)
  }

  async peek(n: number): Promise<Buffer> {
    await this.fill(n)
    return this.head(n)
  }

  readNow(n: number): Buffer | undefined {
    if (this.pendingBytes < n && !this.done) return undefined
    const bytes = this.head(n)
    this.drop(bytes.length)
    return bytes
  }

  async read(n: number): Promise<Buffer> {
    const bytes = await this.peek(n)
    this.drop(bytes.length)
    return bytes
  }

  skipNow(n: number): number | undefined {
    if (this.pendingBytes < n && !this.done) return undefined
    const passed = Math.min(n, this.pendingBytes)
    this.drop(passed)
    return passed
  }

  private drop(n: number): void {
    let left = n
    while (left > 0 && this.pending.length > 0) {
      const head = this.pending[0]
      if (head.length <= left) {
        this.pending.shift()
        left -= head.length
      } else {
        this.pending[0] = head.subarray(left)
        left = 0
      }
    }
    this.pendingBytes -= n - left
    this.consumed += n - left
  }

  async skip(n: number): Promise<number> {
    let passed = 0
    while (passed < n) {
      if (this.pendingBytes === 0) {
        await this.fill(1)
        if (this.pendingBytes === 0) break
      }
      const step = Math.min(n - passed, this.pendingBytes)
      this.drop(step)
      passed += step
    }
    return passed
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.pendingBytes === 0) {
        await this.fill(1)
        if (this.pendingBytes === 0) return
      }
      const chunk = this.pending.shift() as Buffer
      this.pendingBytes -= chunk.length
      this.consumed += chunk.length
      yield chunk
    }
  }
}

/** A view of the next `limit` bytes of another reader (one tar member's content). */
export class LimitedReader implements ByteReader {
  private consumed = 0

  constructor(
    private readonly inner: ByteReader,
    readonly limit: number,
  ) {}

  get position(): number {
    return this.consumed
  }

  get remaining(): number {
    return this.limit - this.consumed
  }

  async peek(n: number): Promise<Buffer> {
    return this.inner.peek(Math.min(n, this.remaining))
  }

  async read(n: number): Promise<Buffer> {
    const bytes = await this.inner.read(Math.min(n, this.remaining))
    this.consumed += bytes.length
    return bytes
  }

  readNow(n: number): Buffer | undefined {
    const bytes = this.inner.readNow(Math.min(n, this.remaining))
    if (bytes) this.consumed += bytes.length
    return bytes
  }

  async skip(n: number): Promise<number> {
    const passed = await this.inner.skip(Math.min(n, this.remaining))
    this.consumed += passed
    return passed
  }

  skipNow(n: number): number | undefined {
    const passed = this.inner.skipNow(Math.min(n, this.remaining))
    if (passed !== undefined) this.consumed += passed
    return passed
  }

  /**
   * The content in chunks, with a turn of the event loop every 64 MiB so that timers (the progress bar) run while a
   * large file is hashed.
   */
  async *chunks(): AsyncGenerator<Buffer> {
    for (let count = 1; this.remaining > 0; count++) {
      if (count % 64 === 0) await new Promise(setImmediate)
      const chunk = await this.read(Math.min(CHUNK, this.remaining))
      if (chunk.length === 0) return
      yield chunk
    }
  }
}
