import assert from 'node:assert/strict'
import {gzipSync} from 'node:zlib'

import {compress} from 'zstd-napi'

import {InputError} from '../../src/errors.js'
import {type ByteReader, StreamReader} from '../../src/tar/byte-reader.js'
import {decompressing, detectCompression} from '../../src/tar/compression.js'

async function chunksOf(reader: ByteReader): Promise<Buffer[]> {
  const out: Buffer[] = []
  for await (const chunk of reader.chunks()) out.push(Buffer.from(chunk))
  return out
}

const opened = (data: Buffer) => decompressing(new StreamReader([data]), 'x')

describe('layer compression', () => {
  it('is told by its magic bytes, each needing all of them', () => {
    const bytes = (...b: number[]) => Buffer.from(b)
    assert.equal(detectCompression(bytes(0x1f, 0x8b)), 'gzip')
    assert.equal(detectCompression(bytes(0x1f)), 'none')
    assert.equal(detectCompression(bytes(0x1f, 0x8c)), 'none')
    assert.equal(detectCompression(bytes(0x1e, 0x8b)), 'none')
    assert.equal(detectCompression(bytes(0x28, 0xb5, 0x2f, 0xfd)), 'zstd')
    assert.equal(detectCompression(bytes(0x28, 0xb5, 0x2f)), 'none')
    assert.equal(detectCompression(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)), 'xz')
    assert.equal(detectCompression(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a)), 'none')
    assert.equal(detectCompression(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x01)), 'none')
    assert.equal(detectCompression(Buffer.from('BZh')), 'bzip2')
    assert.equal(detectCompression(Buffer.from('BZ')), 'none')
    assert.equal(detectCompression(Buffer.from('BZi')), 'none')
    assert.equal(detectCompression(Buffer.alloc(0)), 'none')
  })

  it('plain data is the reader itself; gzip and zstd are inflated, gzip in chunks of 1 MiB', async () => {
    const plain = new StreamReader([Buffer.from('plain tar')])
    const none = await decompressing(plain, 'x')
    assert.equal(none.compression, 'none')
    assert.equal(none.reader, plain)
    // the peek at the magic consumed nothing
    assert.equal((await plain.read(20)).toString(), 'plain tar')

    const data = Buffer.from(Uint8Array.from({length: 2.5 * (1 << 20)}, (_, i) => (i * 31) % 251))
    const gzip = await opened(gzipSync(data))
    assert.equal(gzip.compression, 'gzip')
    const inflated = await chunksOf(gzip.reader)
    assert.deepEqual(
      inflated.map((c) => c.length),
      [1 << 20, 1 << 20, 1 << 19],
    )
    assert.deepEqual(Buffer.concat(inflated), data)

    const zstd = await opened(compress(Buffer.from('hello zstd')))
    assert.equal(zstd.compression, 'zstd')
    assert.equal(Buffer.concat(await chunksOf(zstd.reader)).toString(), 'hello zstd')
  })

  it('xz and bzip2 are refused, and a corrupt or cut stream is one InputError naming the layer', async () => {
    await assert.rejects(opened(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])), {
      name: 'InputError',
      message: 'x: xz layers are not supported (only plain, gzip and zstd)',
    })
    await assert.rejects(opened(Buffer.from('BZh91AY')), {
      name: 'InputError',
      message: 'x: bzip2 layers are not supported (only plain, gzip and zstd)',
    })
    const gzip = gzipSync('hello gzip')
    const flags = Buffer.from(gzip)
    flags[3] = 0xff // FLG with reserved bits set
    const failure = async (data: Buffer, message: string) => {
      const {reader} = await opened(data)
      await assert.rejects(chunksOf(reader), {name: 'InputError', message})
    }
    await failure(flags, 'x: corrupt gzip data (unknown header flags set)')
    await failure(gzip.subarray(0, gzip.length - 6), 'x: corrupt gzip data (unexpected end of file)')
    const zstd = compress(Buffer.from('hello zstd'))
    await failure(
      zstd.subarray(0, zstd.length - 3),
      'x: corrupt zstd data (Stream ended in middle of compressed data frame)',
    )
  })

  it("an InputError of the compressed input reaches the reader as it is, not as the codec's", async () => {
    const gzip = gzipSync(Buffer.alloc(100_000))
    async function* source() {
      yield gzip.subarray(0, 40)
      throw new InputError('x: the blob does not match its digest')
    }
    const {reader} = await decompressing(new StreamReader(source()), 'x')
    await assert.rejects(chunksOf(reader), {name: 'InputError', message: 'x: the blob does not match its digest'})
  })
})
