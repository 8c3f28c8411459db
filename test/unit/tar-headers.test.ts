import assert from 'node:assert/strict'

import {Header, Pax} from 'tar'

import {headerBlocks, type OutEntry} from '../../src/tar/encode.js'
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
      mtime: 0,
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
})
