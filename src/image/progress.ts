import type {ByteReader} from '../tar/byte-reader.js'

/**
 * How a source reports reading progress. Sources only move counters; whoever renders polls them, so
 * the hot read path pays nothing.
 */
export class ReadProgress {
  /** Bytes expected in all, when known. */
  total: number | undefined
  layersTotal: number | undefined
  layersDone = 0
  private finished = 0
  private current: ByteReader | undefined

  expect(bytes: number | undefined, layers?: number): void {
    this.total = bytes
    if (layers !== undefined) this.layersTotal = layers
  }

  /** From now on the reader's position counts as done, on top of what finished before. */
  follow(reader: ByteReader): void {
    this.current = reader
  }

  /** `bytes` more are done: a source reading several layers at once (a registry's blobs), or flatten's writing. */
  advance(bytes: number): void {
    this.finished += bytes
  }

  /** A layer is parsed; `bytes` of it are final (0 when the followed reader already counts them). */
  layerDone(bytes = 0): void {
    this.layersDone++
    this.finished += bytes
    if (bytes > 0) this.current = undefined
  }

  get done(): number {
    return this.finished + (this.current?.position ?? 0)
  }
}
