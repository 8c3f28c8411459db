import {Readable, pipeline} from 'node:stream'
import {createGzip} from 'node:zlib'

import {loadZstd} from '../tar/compression.js'

/** How flatten stores its new layer in an `-o` archive. */
export type OutputCompression = 'uncompressed' | 'gzip' | 'zstd'

/** The gzip header's OS byte: 255, "unknown", as Go's compress/gzip writes it (zlib writes the build's OS). */
const GZIP_OS_UNKNOWN = 0xff
const GZIP_OS_OFFSET = 9

/**
 * Compresses a layer the same way on every run and every platform: gzip at level 6 with no name, mtime 0 and the
 * OS byte fixed; zstd at level 3 with a checksum, one thread, every parameter named rather than left to the
 * library's defaults. The bytes then depend only on the input and the zlib or libzstd build.
 */
export async function* compressLayer(
  source: AsyncIterable<Buffer>,
  kind: Exclude<OutputCompression, 'uncompressed'>,
): AsyncGenerator<Buffer> {
  const codec =
    kind === 'gzip'
      ? createGzip({level: 6})
      : new (await loadZstd('--compress zstd needs')).CompressStream({
          compressionLevel: 3,
          checksumFlag: true,
          nbWorkers: 0,
        })
  const output = pipeline(Readable.from(source), codec, () => {}) as unknown as AsyncIterable<Buffer>
  let position = 0
  for await (const chunk of output) {
    if (kind === 'gzip' && position <= GZIP_OS_OFFSET && position + chunk.length > GZIP_OS_OFFSET)
      chunk[GZIP_OS_OFFSET - position] = GZIP_OS_UNKNOWN
    position += chunk.length
    yield chunk
  }
}
