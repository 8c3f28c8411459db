/**
 * CRC-64 with the ISO polynomial, as Go's `hash/crc64` computes it with `crc64.MakeTable(crc64.ISO)`: tar-split
 * records it for every file of a layer the docker engine stores. Written here (no maintained npm package computes
 * this variant); the 64-bit state is kept as two 32-bit halves, the table likewise.
 */
const TABLE_HI = new Uint32Array(256)
const TABLE_LO = new Uint32Array(256)
for (let i = 0; i < 256; i++) {
  let hi = 0
  let lo = i
  for (let bit = 0; bit < 8; bit++) {
    const odd = lo & 1
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
    hi >>>= 1
    if (odd) hi = (hi ^ 0xd8000000) >>> 0 // ISO: 0xD800000000000000
  }
  TABLE_HI[i] = hi
  TABLE_LO[i] = lo
}

export class Crc64 {
  private hi = 0xffffffff
  private lo = 0xffffffff

  update(data: Uint8Array): this {
    let {hi, lo} = this
    for (let i = 0; i < data.length; i++) {
      const index = (lo ^ data[i]) & 0xff
      lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]) >>> 0
      hi = ((hi >>> 8) ^ TABLE_HI[index]) >>> 0
    }
    this.hi = hi
    this.lo = lo
    return this
  }

  /** The checksum, big-endian, as Go's `Sum` gives it. */
  digest(): Buffer {
    const out = Buffer.alloc(8)
    out.writeUInt32BE(~this.hi >>> 0, 0)
    out.writeUInt32BE(~this.lo >>> 0, 4)
    return out
  }
}
