import assert from 'node:assert/strict'

import {LimitedReader, StreamReader} from '../../src/tar/byte-reader.js'

describe('byte readers', () => {
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
})
