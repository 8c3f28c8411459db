import assert from 'node:assert/strict'

import {Header} from 'tar'

import {headerBlocks, nodeTarFields, type OutEntry} from '../../src/tar/encode.js'
import {decodeFast} from '../../src/tar/fast-header.js'

/** node-tar's encoding of a plain entry: the reference the fast encoder must match byte for byte. */
function nodeTarBlock(entry: OutEntry): Buffer {
  const block = Buffer.alloc(512)
  assert.equal(
    new Header(nodeTarFields(entry, entry.kind === 'dir' ? `${entry.path}/` : entry.path)).encode(block, 0),
    false,
  )
  return block
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
      const back = decodeFast(ours)
      assert.equal(back?.cksumValid, true)
      assert.equal(back?.size, entry.kind === 'file' ? entry.size : 0)
      assert.equal(back?.mtime, Math.floor(entry.mtime))
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

  it('leaves long, non-ASCII and out-of-range fields to pax headers', () => {
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
      {...base, uid: 0o10000000},
      {...base, size: 0o100000000000},
      {...base, uname: 'u'.repeat(33)},
      {...base, xattrs: {'user.a': 'b'}},
    ]) {
      const blocks = headerBlocks(entry)
      assert.ok(blocks.length > 512, JSON.stringify(entry))
      assert.equal(String.fromCharCode(blocks[156]), 'x')
    }
  })
})
