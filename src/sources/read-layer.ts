import {createHash} from 'node:crypto'

import {InputError} from '../errors.js'
import {type LayerContents, LayerContentsBuilder} from '../model/entry.js'
import type {ByteReader} from '../tar/byte-reader.js'
import {decompressing} from '../tar/compression.js'
import {walkTar} from '../tar/walk.js'

import type {ReadProgress} from '../image/progress.js'

/** How layers are read: progress counters, and whether to hash every file's content (sha256). */
export interface LayerReadOptions {
  progress: ReadProgress
  hash?: boolean
}

/**
 * Parses one layer blob (plain, gzip or zstd tar, found by its magic bytes) into LayerContents, reading
 * headers only where the reader can seek. `where` names the layer in errors.
 */
export async function readLayer(reader: ByteReader, where: string, hash = false): Promise<LayerContents> {
  const {reader: tar} = await decompressing(reader, where)
  const builder = new LayerContentsBuilder(where)
  await walkTar(tar, where, ({header, body}) => {
    if (!hash || header.type !== 'file') {
      builder.add(header)
      return
    }
    return (async () => {
      const digest = createHash('sha256')
      for await (const chunk of body.chunks()) digest.update(chunk)
      if (body.remaining > 0) throw new InputError(`${where}: truncated tar (inside the content of ${header.path})`)
      builder.add(header, `sha256:${digest.digest('hex')}`)
    })()
  })
  // Drain what follows the end-of-archive blocks so that a compressed stream is checked to its end.
  await tar.skip(Number.MAX_SAFE_INTEGER)
  return builder.contents
}
