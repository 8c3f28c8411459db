import {type LayerContents, LayerContentsBuilder} from '../model/entry.js'
import type {ByteReader} from '../tar/byte-reader.js'
import {decompressing} from '../tar/compression.js'
import {walkTar} from '../tar/walk.js'

/** Progress hook: called with the bytes of compressed input read so far. */
export type OnBytes = (bytes: number) => void

/**
 * Parses one layer blob (plain, gzip or zstd tar, found by its magic bytes) into LayerContents, reading
 * headers only where the reader can seek. `where` names the layer in errors.
 */
export async function readLayer(reader: ByteReader, where: string): Promise<LayerContents> {
  const {reader: tar} = await decompressing(reader, where)
  const builder = new LayerContentsBuilder(where)
  for await (const member of walkTar(tar, where)) builder.add(member.header)
  // Drain what follows the end-of-archive blocks so that a compressed stream is checked to its end.
  await tar.skip(Number.MAX_SAFE_INTEGER)
  return builder.contents
}
