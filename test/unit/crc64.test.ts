import assert from 'node:assert/strict'

import {Crc64} from '../../src/tar/crc64.js'

// Expected values from Go 1.19's hash/crc64 with crc64.MakeTable(crc64.ISO), the code tar-split runs; the first is
// also the check value of CRC-64/GO-ISO in Greg Cook's CRC catalogue (reveng).
describe('CRC-64 (ISO), as tar-split records it', () => {
  it('"123456789", nothing, and the bytes 0 to 255 (every table index) give the checksums Go gives', () => {
    const hex = (data: Uint8Array) => new Crc64().update(data).digest().toString('hex')
    assert.equal(hex(Buffer.from('123456789')), 'b90956c775a41001')
    assert.equal(hex(Buffer.alloc(0)), '0000000000000000')
    assert.equal(hex(Uint8Array.from({length: 256}, (_, i) => i)), '89f7eaa7b75c07dd')
  })

  it('updates in parts give the checksum of the whole', () => {
    const crc = new Crc64()
    assert.equal(crc.update(Buffer.from('hello ')), crc)
    assert.equal(crc.update(Buffer.from('world')).digest().toString('hex'), 'b9cf3f572ad9ac3e')
  })
})
