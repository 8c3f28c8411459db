import {Readable, pipeline} from 'node:stream'
import {createGunzip} from 'node:zlib'

import {InputError} from '../errors.js'
import {type ByteReader, StreamReader} from './byte-reader.js'

export type Compression = 'none' | 'gzip' | 'zstd'

/** Detects a blob's compression from its first bytes (estargz is gzip). */
export function detectCompression(magic: Buffer): Compression | 'xz' | 'bzip2' {
  if (magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip'
  if (magic.length >= 4 && magic.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
  if (magic.length >= 6 && magic.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz'
  if (magic.length >= 3 && magic.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2'
  return 'none'
}

/**
 * gunzip's output chunk: zlib's default of 16 kB costs a trip to the main thread for each, and a layer of
 * compressible files inflates by 100× or more (1 MiB: a 1.3 GB layer in 1,300 trips, not 80,000).
 */
const OUTPUT_CHUNK = 1 << 20

/**
 * The decompressed bytes of `reader`, chosen by magic bytes. Errors of the codec become InputErrors
 * naming `name`. The returned compression says what was found.
 */
export async function decompressing(
  reader: ByteReader,
  name: string,
): Promise<{reader: ByteReader; compression: Compression}> {
  const kind = detectCompression(await reader.peek(6))
  if (kind === 'xz' || kind === 'bzip2')
    throw new InputError(`${name}: ${kind} layers are not supported (only plain, gzip and zstd)`)
  if (kind === 'none') return {reader, compression: 'none'}
  const codec =
    kind === 'gzip'
      ? createGunzip({chunkSize: OUTPUT_CHUNK})
      : new (await loadZstd(`${name}: zstd layers need`)).DecompressStream()
  // pipeline (not pipe) so that a failure of the compressed input reaches whoever reads the output
  const out = pipeline(Readable.from(reader.chunks(), {objectMode: false}), codec, () => {})
  return {reader: new StreamReader(codecErrors(out, kind, name)), compression: kind}
}

/**
 * zstd-napi, loaded on first use so that a failed native build costs only zstd support; `needing` says what
 * needs it ("…: zstd layers need", "--compress zstd needs").
 */
export async function loadZstd(needing: string): Promise<typeof import('zstd-napi')> {
  try {
    return await import('zstd-napi')
  } catch (error) {
    throw new InputError(
      `${needing} the zstd-napi module, which did not load (${(error as Error).message.split('\n')[0]})`,
    )
  }
}

async function* codecErrors(stream: AsyncIterable<Buffer>, kind: Compression, name: string): AsyncGenerator<Buffer> {
  try {
    yield* stream
  } catch (error) {
    if (error instanceof InputError) throw error
    const reason = (error as Error).message.replace(/^(zlib|zstd): /i, '')
    throw new InputError(`${name}: corrupt ${kind} data (${reason})`)
  }
}
