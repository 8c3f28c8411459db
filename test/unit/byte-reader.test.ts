import assert from 'node:assert/strict'
import {open, type FileHandle} from 'node:fs/promises'
import {writeFileSync} from 'node:fs'

import {FileRangeReader, LimitedReader, openFile, StreamReader} from '../../src/tar/byte-reader.js'
import {scratch} from '../helpers/images.js'

const MIB = 1 << 20

/** 2.5 MiB whose every byte is known from its offset (a reader that returns bytes from elsewhere is caught). */
const DATA = Buffer.from(Uint8Array.from({length: 2.5 * MIB}, (_, i) => (i * 7 + (i >> 9)) & 0xff))

/** The bytes [from, to) of DATA, as a plain copy: the reference every read is compared with. */
const slice = (from: number, to: number) => Buffer.from(DATA.subarray(from, to))

describe('byte readers', () => {
  // made in before(): Stryker's runner loads this file once and runs it again for each mutant
  let tmp: ReturnType<typeof scratch>
  let path: string
  let file: FileHandle

  before(async () => {
    tmp = scratch()
    path = tmp.file('data.bin')
    writeFileSync(path, DATA)
    file = await open(path, 'r')
  })

  after(async () => {
    await file?.close()
    tmp?.remove()
  })

  it("a member's content read in chunks lets timers run every 64 MiB (the progress bar while a large file is hashed)", async () => {
    const mib = Buffer.alloc(1 << 20)
    const body = new LimitedReader(new StreamReader(Array.from({length: 130}, () => mib)), 130 << 20)
    let seen = 0
    const turns: number[] = []
    const watch = () => {
      turns.push(seen)
      if (seen < 130) setImmediate(watch)
    }
    setImmediate(watch)
    for await (const chunk of body.chunks()) seen += chunk.length >> 20
    assert.equal(seen, 130)
    assert.deepEqual(turns.slice(0, 2), [63, 127])
  })

  it('a file range: peeks, reads across its 1 MiB buffer, skips within it and past it, stops at its end', async () => {
    // the range [100, 100 + 2 MiB + 300) of the file
    const start = 100
    const end = start + 2 * MIB + 300
    const reader = new FileRangeReader(file, start, end)
    assert.equal(reader.position, 0)
    assert.deepEqual(await reader.peek(5), slice(100, 105))
    assert.equal(reader.position, 0)
    assert.deepEqual(await reader.read(5), slice(100, 105))
    assert.equal(reader.position, 5)
    // a read that runs past the buffer filled at 100 keeps what it had and reads on
    assert.deepEqual(await reader.read(MIB), slice(105, 105 + MIB))
    assert.equal(reader.position, 5 + MIB)
    // a skip inside the buffer, then a read from it
    assert.equal(await reader.skip(1000), 1000)
    assert.deepEqual(reader.readNow(10), slice(105 + MIB + 1000, 105 + MIB + 1010))
    // a skip far past the buffer (a large content passed over), then a header-sized read
    assert.equal(reader.skipNow(600_000), 600_000)
    assert.equal(reader.position, 5 + MIB + 1010 + 600_000)
    assert.deepEqual(await reader.read(512), slice(100 + 5 + MIB + 1010 + 600_000, 100 + 5 + MIB + 1010 + 600_512))
    // what is left, in chunks of at most 1 MiB, then nothing
    const at = 100 + 5 + MIB + 1010 + 600_512
    const chunks: Buffer[] = []
    for await (const chunk of reader.chunks()) chunks.push(Buffer.from(chunk))
    assert.deepEqual(
      chunks.map((c) => c.length),
      [end - at],
    )
    assert.deepEqual(Buffer.concat(chunks), slice(at, end))
    assert.equal(reader.position, end - start)
    assert.deepEqual(await reader.read(4), Buffer.alloc(0))
    assert.deepEqual(await reader.peek(4), Buffer.alloc(0))
    assert.equal(await reader.skip(4), 0)
  })

  it('a file range read near its end gives only what is left; chunks() gives whole MiBs, then the rest', async () => {
    const reader = new FileRangeReader(file, 0, 2 * MIB + 7)
    assert.equal(reader.skipNow(2 * MIB), 2 * MIB)
    assert.deepEqual(await reader.peek(10), slice(2 * MIB, 2 * MIB + 7))
    assert.deepEqual(reader.readNow(10), slice(2 * MIB, 2 * MIB + 7))
    assert.equal(reader.position, 2 * MIB + 7)
    assert.equal(reader.skipNow(1), 0)

    const whole = new FileRangeReader(file, 3, 2 * MIB + 10)
    const lengths: number[] = []
    const parts: Buffer[] = []
    for await (const chunk of whole.chunks()) {
      lengths.push(chunk.length)
      parts.push(Buffer.from(chunk))
    }
    assert.deepEqual(lengths, [MIB, MIB, 7])
    assert.deepEqual(Buffer.concat(parts), slice(3, 2 * MIB + 10))

    const skipping = new FileRangeReader(file, 10, 20)
    assert.equal(await skipping.skip(25), 10)
    assert.equal(skipping.position, 10)
  })

  it('openFile gives the handle and size, and one clear error for a missing path or a directory', async () => {
    const opened = await openFile(path)
    assert.equal(opened.size, DATA.length)
    await opened.file.close()
    await assert.rejects(openFile(tmp.file('absent')), {
      name: 'InputError',
      message: `cannot read ${tmp.file('absent')}: ENOENT`,
    })
    await assert.rejects(openFile(tmp.dir), {name: 'InputError', message: `${tmp.dir} is a directory`})
  })

  it('a stream: reads join chunks, peeks do not consume, readNow and skipNow wait for nothing', async () => {
    // chunks of 3, 0, 5 (a string) and 4 bytes (a view into a larger buffer)
    const backing = Buffer.from('xxxxIJKLyy')
    const reader = new StreamReader([
      Buffer.from('abc'),
      Buffer.alloc(0),
      'defgh',
      new Uint8Array(backing.buffer, backing.byteOffset + 4, 4),
    ])
    assert.equal(reader.position, 0)
    // nothing is buffered yet: the non-waiting calls say so, and consume nothing
    assert.equal(reader.readNow(1), undefined)
    assert.equal(reader.skipNow(1), undefined)
    assert.equal((await reader.peek(4)).toString(), 'abcd')
    assert.equal(reader.position, 0)
    assert.equal(reader.readNow(2)?.toString(), 'ab')
    assert.equal(reader.skipNow(1), 1)
    assert.equal(reader.position, 3)
    // 5 buffered: 6 is not at hand
    assert.equal(reader.readNow(6), undefined)
    assert.equal(reader.skipNow(6), undefined)
    assert.equal((await reader.read(6)).toString(), 'defghI')
    assert.equal(reader.position, 9)
    assert.equal(await reader.skip(2), 2)
    // at the end, readNow and skipNow give what is left
    assert.equal((await reader.peek(10)).toString(), 'L')
    assert.equal(reader.readNow(5)?.toString(), 'L')
    assert.equal(reader.skipNow(5), 0)
    assert.equal(reader.position, 12)
    assert.equal((await reader.read(3)).length, 0)
  })

  it('a stream: skip waits for chunks and stops at the end; chunks() gives the buffered bytes first, then the rest', async () => {
    async function* source() {
      yield Buffer.from('0123')
      yield Buffer.from('4567')
      yield Buffer.from('89')
    }
    const skipping = new StreamReader(source())
    assert.equal(await skipping.skip(5), 5)
    assert.equal(skipping.position, 5)
    assert.equal((await skipping.read(1)).toString(), '5')
    assert.equal(await skipping.skip(10), 4)
    assert.equal(skipping.position, 10)

    const chunked = new StreamReader(source())
    assert.equal((await chunked.read(1)).toString(), '0')
    assert.equal((await chunked.peek(5)).toString(), '12345')
    const parts: string[] = []
    for await (const chunk of chunked.chunks()) parts.push(chunk.toString())
    assert.deepEqual(parts, ['1234567', '89'])
    assert.equal(chunked.position, 10)
  })

  it('a limited view: every call stops at the limit, and its position counts only its own bytes', async () => {
    const inner = new StreamReader([Buffer.from('abcdefghijklmnop')])
    assert.equal((await inner.read(2)).toString(), 'ab')
    const view = new LimitedReader(inner, 6)
    assert.equal(view.position, 0)
    assert.equal(view.remaining, 6)
    assert.equal((await view.peek(10)).toString(), 'cdefgh')
    assert.equal(view.position, 0)
    assert.equal(view.readNow(2)?.toString(), 'cd')
    assert.equal(view.skipNow(1), 1)
    assert.equal(view.remaining, 3)
    assert.equal((await view.read(10)).toString(), 'fgh')
    assert.equal(view.position, 6)
    assert.equal(view.remaining, 0)
    assert.equal(await view.skip(5), 0)
    assert.equal(view.readNow(5)?.length, 0)
    assert.equal(view.skipNow(5), 0)
    assert.deepEqual(await collect(view.chunks()), [])
    // the inner reader is where the view stopped
    assert.equal(inner.position, 8)
    assert.equal((await inner.read(1)).toString(), 'i')

    const second = new LimitedReader(inner, 4)
    assert.equal(await second.skip(3), 3)
    assert.equal(second.position, 3)
    assert.deepEqual(await collect(second.chunks()), ['m'])
    assert.equal(inner.position, 13)

    // a view whose inner reader is not at hand: the non-waiting calls count nothing
    async function* later() {
      yield Buffer.from('xyz')
    }
    const waiting = new LimitedReader(new StreamReader(later()), 2)
    assert.equal(waiting.readNow(1), undefined)
    assert.equal(waiting.skipNow(1), undefined)
    assert.equal(waiting.position, 0)
    assert.deepEqual(await collect(waiting.chunks()), ['xy'])
  })

  it('a member cut short by the end of the data: a file range past the end of the file, a view past its stream', async () => {
    // a truncated archive's last member claims bytes the file does not have: the range [size - 10, size + 90)
    const short = new FileRangeReader(file, DATA.length - 10, DATA.length + 90)
    assert.deepEqual(await short.read(100), slice(DATA.length - 10, DATA.length))
    assert.deepEqual(await short.read(1), Buffer.alloc(0))
    const again = new FileRangeReader(file, DATA.length - 10, DATA.length + 90)
    assert.deepEqual(await collect(again.chunks()), [slice(DATA.length - 10, DATA.length).toString()])
    const view = new LimitedReader(new StreamReader([Buffer.from('abc')]), 10)
    assert.deepEqual(await collect(view.chunks()), ['abc'])
    assert.equal(view.remaining, 7)
  })

  it('a stream asks its source for no more chunks than a read needs (stdin may not have the next one yet)', async () => {
    async function* thenNothing() {
      yield Buffer.from('abc')
      await new Promise(() => {}) // a source that never sends more
    }
    const reader = new StreamReader(thenNothing())
    assert.equal((await reader.read(3)).toString(), 'abc')
  })
})

async function collect(chunks: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = []
  for await (const chunk of chunks) out.push(chunk.toString())
  return out
}
