import {rmSync, writeSync} from 'node:fs'
import {mkdtemp, open, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Image} from '../image/image.js'
import type {LayerContents} from '../model/entry.js'
import {type ByteReader, StreamReader} from '../tar/byte-reader.js'
import {archiveTar, IndexedTar, StreamedTar} from './archive.js'
import {imageFromStore} from './image-from-store.js'
import type {Selection} from './manifest.js'
import type {LayerReadOptions} from './read-layer.js'
import type {ImageStore} from './store.js'

/** A stream parsed as it passed, whose bytes were written to a temporary archive that serves the blobs. */
class SpooledTar implements ImageStore {
  readonly directory = false

  constructor(
    private readonly parsed: StreamedTar,
    private readonly spool: IndexedTar,
    private readonly remove: () => Promise<void>,
  ) {}

  get name(): string {
    return this.parsed.name
  }

  has(path: string): boolean {
    return this.parsed.has(path)
  }

  paths(): Iterable<string> {
    return this.parsed.paths()
  }

  readText(path: string): Promise<string> {
    return this.parsed.readText(path)
  }

  layer(path: string, where: string): Promise<LayerContents> {
    return this.parsed.layer(path, where)
  }

  blob(path: string): Promise<{reader: ByteReader; size: number}> {
    return this.spool.blob(path)
  }

  async close(): Promise<void> {
    await this.spool.close()
    await this.remove()
  }
}

/**
 * An image archive read once from a stream (stdin, the engine's save stream, a compressed file) with random access
 * all the same: its layers are parsed as they pass while its tar (decompressed) is written to a temporary archive,
 * which later serves only the bytes a command copies. `close` removes it; so does the process's exit, a signal
 * handler's included.
 */
export async function readSpooled(
  stream: AsyncIterable<Buffer>,
  name: string,
  selection: Selection,
  reading: LayerReadOptions,
): Promise<Image> {
  const dir = await mkdtemp(join(tmpdir(), 'docker-layers-'))
  const onExit = () => rmSync(dir, {recursive: true, force: true})
  process.once('exit', onExit)
  const remove = async () => {
    process.removeListener('exit', onExit)
    await rm(dir, {recursive: true, force: true})
  }
  try {
    const path = join(dir, 'source.tar')
    const out = await open(path, 'w')
    async function* tee(): AsyncGenerator<Buffer> {
      const {reader} = await archiveTar(new StreamReader(stream), name)
      for await (const chunk of reader.chunks()) {
        for (let done = 0; done < chunk.length;) done += writeSync(out.fd, chunk, done, chunk.length - done)
        yield chunk
      }
    }
    const parsed = new StreamedTar(name)
    try {
      await parsed.consume(new StreamReader(tee()), reading)
    } finally {
      await out.close()
    }
    const spool = await IndexedTar.open(path, name)
    return await imageFromStore(new SpooledTar(parsed, spool, remove), selection, reading)
  } catch (error) {
    await remove()
    throw error
  }
}
