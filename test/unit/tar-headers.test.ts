import assert from 'node:assert/strict'

import {Header, Pax} from 'tar'

import {headerBlocks, memberSize, type OutEntry, plainFile} from '../../src/tar/encode.js'
import {decodeFast} from '../../src/tar/fast-header.js'

/** node-tar's name for each kind of entry (its Header's `type`). */
const NODE_TAR_TYPE: Record<OutEntry['kind'], string> = {
  file: 'File',
  dir: 'Directory',
  symlink: 'SymbolicLink',
  hardlink: 'Link',
  char: 'CharacterDevice',
  block: 'BlockDevice',
  fifo: 'FIFO',
}

/**
 * What a tar reader must see for an entry, written out here from the entry itself (not through the encoder's
 * own field mapping): a directory's name ends in `/`, only a regular file has a size, the mode keeps its
 * permission bits, the mtime whole seconds.
 */
function expectedFields(entry: OutEntry) {
  return {
    path: entry.kind === 'dir' ? `${entry.path}/` : entry.path,
    type: NODE_TAR_TYPE[entry.kind],
    size: entry.kind === 'file' ? entry.size : 0,
    mode: entry.mode & 0o7777,
    uid: entry.uid,
    gid: entry.gid,
    mtime: Math.floor(entry.mtime),
    linkpath: entry.linkpath,
    uname: entry.uname,
    gname: entry.gname,
    devmaj: entry.devmajor,
    devmin: entry.devminor,
  }
}

/** node-tar's encoding of the expected fields: the reference the fast encoder must match byte for byte. */
function nodeTarBlock(entry: OutEntry): Buffer {
  const fields = expectedFields(entry)
  const block = Buffer.alloc(512)
  const needsPax = new Header({
    ...fields,
    type: fields.type as never,
    mtime: new Date(fields.mtime * 1000),
  }).encode(block, 0)
  assert.equal(needsPax, false)
  return block
}

/**
 * Every field of a header block as node-tar's Header reads it, with the pax records before it applied (the
 * Header takes every pax field but linkpath from them; node-tar's Parser applies that one itself).
 */
function nodeTarRead(block: Buffer, pax?: Buffer) {
  const ex = pax ? Pax.parse(pax.toString('utf8'), undefined, false) : undefined
  const h = new Header(block, 0, ex)
  return {
    path: h.path,
    type: h.type as string,
    size: h.size,
    mode: h.mode,
    uid: h.uid,
    gid: h.gid,
    mtime: (h.mtime as Date).getTime() / 1000,
    linkpath: ex?.linkpath ?? h.linkpath ?? '',
    uname: h.uname ?? '',
    gname: h.gname ?? '',
    devmaj: h.devmaj,
    devmin: h.devmin,
  }
}

describe('ustar header encoding', () => {
  it('encodes plain entries exactly as node-tar does, and the decoder reads them back', () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const kinds: Array<OutEntry['kind']> = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo']
    const edge = [0, 1, 0o7, 0o10, 0o777, 0o7777, 0o777777, 0o7777777]
    for (let i = 0; i < 2000; i++) {
      const kind = kinds[random(kinds.length)]
      const name = Array.from({length: 1 + random(4)}, () => 'abcdefghij-_.'.slice(random(6), 6 + random(8)) || 'x')
        .join('/')
        .slice(0, 1 + random(98))
      const entry: OutEntry = {
        path: name.replace(/\/+$/, '') || 'x',
        kind,
        size: [0, 1, 511, 512, 513, 1 << 20, 0o77777777777][random(7)],
        mode: edge[random(edge.length)] | 0o100000,
        uid: edge[random(edge.length)],
        gid: edge[random(edge.length)],
        uname: ['', 'root', 'a'.repeat(32)][random(3)],
        gname: ['', 'wheel', 'g'.repeat(31)][random(3)],
        mtime: [0, 1_700_000_000, 1_700_000_000.75, 0o77777777777][random(4)],
        linkpath: kind === 'symlink' || kind === 'hardlink' ? ['', '../t', 'l'.repeat(100)][random(3)] : '',
        devmajor: kind === 'char' || kind === 'block' ? edge[random(edge.length)] : 0,
        devminor: kind === 'char' || kind === 'block' ? edge[random(edge.length)] : 0,
      }
      if (entry.kind === 'dir' && entry.path.length > 98) entry.path = entry.path.slice(0, 98)
      const ours = headerBlocks(entry)
      assert.deepEqual(ours, nodeTarBlock(entry), JSON.stringify(entry))
      const {cksumValid, nullBlock, ...back} = decodeFast(ours)!
      assert.deepEqual([cksumValid, nullBlock], [true, false])
      assert.deepEqual(back, expectedFields(entry), JSON.stringify(entry))
      assert.deepEqual(nodeTarRead(ours), expectedFields(entry), JSON.stringify(entry))
    }
  })

  it('the decoder checks the checksum at every alignment of the block, and finds one changed byte', () => {
    const block = headerBlocks({
      path: 'usr/lib/x',
      kind: 'file',
      size: 1234,
      mode: 0o755,
      uid: 1,
      gid: 2,
      uname: 'root',
      gname: 'g',
      mtime: 1_700_000_000,
      linkpath: '',
      devmajor: 0,
      devminor: 0,
    })
    for (let offset = 0; offset < 8; offset++) {
      const copy = Buffer.alloc(520).subarray(offset, offset + 512)
      block.copy(copy)
      assert.deepEqual(
        [decodeFast(copy)?.cksumValid, decodeFast(copy)?.size, decodeFast(copy)?.path],
        [true, 1234, 'usr/lib/x'],
      )
      for (const at of [0, 147, 156, 300, 511]) {
        copy[at] ^= 0x01
        assert.equal(decodeFast(copy)?.cksumValid ?? false, false, `offset ${offset}, byte ${at}`)
        copy[at] ^= 0x01
      }
    }
  })

  it('leaves what it does not encode plainly to node-tar: a pax mtime that was not a number', () => {
    const entry: OutEntry = {
      path: 'f',
      kind: 'file',
      size: 3,
      mode: 0o644,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      mtime: Number.NaN,
      linkpath: '',
      devmajor: 0,
      devminor: 0,
    }
    assert.deepEqual(headerBlocks(entry), nodeTarBlock(entry))
  })

  it('leaves long, non-ASCII and out-of-range fields to pax headers, which give every field back', () => {
    const base: OutEntry = {
      path: 'f',
      kind: 'file',
      size: 3,
      mode: 0o644,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      mtime: 1_700_000_000,
      linkpath: '',
      devmajor: 0,
      devminor: 0,
    }
    for (const entry of [
      {...base, path: 'p'.repeat(120)},
      {...base, path: 'é'},
      {...base, kind: 'symlink' as const, linkpath: `../${'t'.repeat(120)}`},
      {...base, kind: 'dir' as const, path: 'd'.repeat(120)},
      {...base, uid: 0o10000000},
      {...base, gid: 0o10000000},
      {...base, kind: 'char' as const, devmajor: 0o10000000},
      {...base, kind: 'block' as const, devminor: 0o10000000},
      {...base, uid: -1, gid: -2},
      // every number the fast path checks out of range at once (a hostile header's base-256 fields)
      {...base, kind: 'char' as const, uid: -1, gid: -1, devmajor: -1, devminor: -1},
      {...base, kind: 'char' as const, uid: 2 ** 21, gid: 2 ** 21, devmajor: 2 ** 21, devminor: 2 ** 21},
      {...base, mtime: -1},
      {...base, mtime: 8 ** 11},
      {...base, size: 0o100000000000},
      {...base, uname: 'u'.repeat(33)},
      {...base, xattrs: {'user.a': 'b'}},
    ]) {
      const blocks = headerBlocks(entry)
      const what = JSON.stringify(entry)
      // a pax header (type x), its records padded to a block, then the ustar header
      assert.equal(String.fromCharCode(blocks[156]), 'x', what)
      const paxSize = Number.parseInt(blocks.subarray(124, 136).toString('latin1'), 8)
      assert.equal(blocks.length, 512 + Math.ceil(paxSize / 512) * 512 + 512, what)
      const records = blocks.subarray(512, 512 + paxSize)
      assert.deepEqual(nodeTarRead(blocks.subarray(-512), records), expectedFields(entry), what)
      if (entry.xattrs) assert.match(records.toString(), /^25 SCHILY\.xattr\.user\.a=b\n$/m)
    }
  })

  it('a name pax holds keeps an ASCII stand-in in the ustar header: its last 99 bytes, non-ASCII as _', () => {
    const entry: OutEntry = {...plainFile('x', 0), path: `${'p'.repeat(120)}é`}
    // read without the pax records, as a reader that ignores them does
    assert.equal(new Header(headerBlocks(entry).subarray(-512)).path, `${'p'.repeat(98)}_`)
  })

  it('a name of exactly 256 bytes that splits into a 155-byte prefix and a 100-byte name needs no pax header', () => {
    const path = `${'a'.repeat(155)}/${'b'.repeat(100)}`
    const blocks = headerBlocks(plainFile(path, 0))
    assert.equal(blocks.length, 512)
    assert.equal(String.fromCharCode(blocks[156]), '0')
    // by hand: the name field is the 100 b's (no NUL), the prefix field at 345 the 155 a's
    assert.equal(blocks.subarray(0, 100).toString('latin1'), 'b'.repeat(100))
    assert.equal(blocks.subarray(345, 500).toString('latin1'), 'a'.repeat(155))
    assert.equal(nodeTarRead(blocks).path, path)
  })

  it('octal values whose digits fill the field and begin with 1 then 0 (2^30 bytes, uid 2^18)', () => {
    // by hand: 2^30 = 8^10 is 1 and ten 0s in octal, 11 digits that fill the 12-byte field (then a NUL alone, as
    // node-tar and GNU tar write it); 2^18 = 8^6 is 1 and six 0s, 7 digits that fill an 8-byte field
    const entry: OutEntry = {...plainFile('big', 2 ** 30), mtime: 2 ** 30, uid: 2 ** 18, gid: 2 ** 18}
    const block = headerBlocks(entry)
    assert.equal(block.length, 512)
    assert.equal(block.subarray(124, 136).toString('latin1'), '10000000000\0')
    assert.equal(block.subarray(136, 148).toString('latin1'), '10000000000\0')
    assert.equal(block.subarray(108, 116).toString('latin1'), '1000000\0')
    assert.equal(block.subarray(116, 124).toString('latin1'), '1000000\0')
    assert.deepEqual(block, nodeTarBlock(entry))
    const device: OutEntry = {...plainFile('dev', 0), kind: 'char', devmajor: 2 ** 18, devminor: 2 ** 18}
    assert.deepEqual(nodeTarRead(headerBlocks(device)), expectedFields(device))
  })

  it('plainFile: a root-owned 0644 file with no names, time or link', () => {
    assert.deepEqual(nodeTarRead(headerBlocks(plainFile('manifest.json', 5))), {
      path: 'manifest.json',
      type: 'File',
      size: 5,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 0,
      linkpath: '',
      uname: '',
      gname: '',
      devmaj: 0,
      devmin: 0,
    })
  })

  it('memberSize: the header blocks and the content padded to a block', () => {
    // by hand: one header block, then the content rounded up to 512
    assert.equal(memberSize(plainFile('a', 0)), 512)
    assert.equal(memberSize(plainFile('a', 1)), 512 + 512)
    assert.equal(memberSize(plainFile('a', 512)), 512 + 512)
    assert.equal(memberSize(plainFile('a', 513)), 512 + 1024)
    // only a regular file has content: a directory's size field is not counted
    assert.equal(memberSize({...plainFile('d', 700), kind: 'dir'}), 512)
    // a pax header, its records padded to a block, the ustar header, then the content
    assert.equal(memberSize(plainFile('p'.repeat(120), 3)), 512 + 512 + 512 + 512)
  })
})

/** Writes a block's checksum as GNU tar does (six octal digits, NUL, space), summed by hand: the field as spaces. */
function withChecksum(block: Buffer): Buffer {
  block.fill(0x20, 148, 156)
  const sum = block.reduce((total, byte) => total + byte, 0)
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  return block
}

/** A header block from headerBlocks with some bytes rewritten, its checksum made right again. */
function rewritten(edits: Array<[number, string]>, prefix = ''): Buffer {
  const block = Buffer.from(headerBlocks({...plainFile('n', 3), mode: 0o644, uid: 1, gid: 2, mtime: 1_700_000_000}))
  if (prefix) block.write(prefix, 345, 'latin1')
  for (const [offset, bytes] of edits) block.write(bytes, offset, 'latin1')
  return withChecksum(block)
}

describe('fast header decoding of headers other writers make', () => {
  it('octal fields padded with leading spaces (v7 and old BSD tars), and fields filled with digits', () => {
    // by hand: "   644 \0" is 0o644; "00000755" fills the mode field with no terminator and is 0o755, the uid
    // field after it starting with a digit
    for (const [field, value] of [
      ['   644 \0', 0o644],
      ['  12\0\0\0\0', 0o12],
      ['00000755', 0o755],
    ] as const) {
      const block = rewritten([[100, field]])
      const fast = decodeFast(block)!
      assert.equal(fast.mode, value, JSON.stringify(field))
      assert.equal(new Header(block).mode, value, JSON.stringify(field))
      assert.deepEqual([fast.uid, fast.cksumValid], [1, true])
    }
    const size = rewritten([[124, '     1234567']])
    assert.equal(decodeFast(size)?.size, 0o1234567)
    assert.equal(new Header(size).size, 0o1234567)
  })

  it('leaves a numeric field that is not octal to node-tar (which reads "18" as 1)', () => {
    for (const offset of [100, 108, 116, 124, 136, 148]) {
      for (const digit of ['8', '9', '-', '/']) {
        const block = rewritten([[offset + 1, digit]])
        if (offset === 148) block[149] = digit.charCodeAt(0)
        assert.equal(decodeFast(block), undefined, `${offset} ${digit}`)
      }
    }
  })

  it('a zero block whose checksum field is 256 is a header, not the end of the archive (node-tar reads it so)', () => {
    // by hand: the sum of a zero block with its checksum field as spaces is 8 * 0x20 = 256 = 0o400
    const block = Buffer.alloc(512)
    block.write('000400\0 ', 148, 'latin1')
    assert.deepEqual([new Header(block).nullBlock, new Header(block).cksumValid], [false, true])
    assert.equal(decodeFast(block), undefined)
    assert.equal(decodeFast(Buffer.alloc(512))?.nullBlock, true)
  })

  it('reads the path prefix only under POSIX ustar magic ("ustar\\0"): each byte of it counts, as for node-tar', () => {
    assert.equal(decodeFast(rewritten([], 'pre'))?.path, 'pre/n')
    assert.equal(new Header(rewritten([], 'pre')).path, 'pre/n')
    // GNU's magic "ustar  \0" keeps times at 345; one changed byte anywhere in "ustar\0" is no POSIX magic either
    for (let at = 257; at <= 262; at++) {
      const block = rewritten([[at, at === 262 ? ' ' : 'X']], 'pre')
      assert.equal(decodeFast(block)?.path, 'n', `byte ${at}`)
      assert.equal(new Header(block).path, 'n', `byte ${at}`)
    }
  })
})
