// walkTar and tarMembers on tars built here: each way a tar can end early or be broken, with the offsets worked out
// from the layout (a 512-byte header, the content, zeros to the next 512), the visitor's control of the walk, and
// the turns of the event loop a long walk gives timers.
import assert from 'node:assert/strict'

import {Header} from 'tar'

import {StreamReader} from '../../src/tar/byte-reader.js'
import {type TarHeader, tarMembers, walkTar} from '../../src/tar/walk.js'
import {tarOf} from '../helpers/tar.js'

/** The headers a walk over `tar` sees (read from one chunk), or the error it ends with. */
async function headers(tar: Buffer, stopAt?: number): Promise<TarHeader[]> {
  const seen: TarHeader[] = []
  await walkTar(new StreamReader([tar]), 'x', (member) => {
    seen.push(member.header)
    if (seen.length === stopAt) return false
  })
  return seen
}

const fails = (tar: Buffer, message: string) => assert.rejects(headers(tar), {name: 'InputError', message})

/** A header block of `type` with `size`, as node-tar writes it. */
function block(type: string, size: number, path = 'meta'): Buffer {
  const out = Buffer.alloc(512)
  new Header({path, type, size, mode: 0o644, mtime: new Date(0)} as never).encode(out, 0)
  return out
}

describe('tar walk', () => {
  it('each way a tar ends early is named, with its offset', async () => {
    // one member "a" of 3 bytes: header 0-511, content 512-514, padding to 1024, end-of-archive blocks 1024-2047
    const whole = tarOf([{path: 'a', content: 'abc'}])
    assert.equal(whole.length, 2048)
    await fails(Buffer.alloc(0), 'x: empty file, not a tar archive')
    await fails(whole.subarray(0, 1024), 'x: truncated tar (it ends at offset 1024 without the end-of-archive blocks)')
    await fails(whole.subarray(0, 1124), 'x: truncated tar (a header at offset 1024 is cut short)')
    await fails(whole.subarray(0, 300), 'x: truncated tar (a header at offset 0 is cut short)')
    await fails(whole.subarray(0, 514), 'x: truncated tar (inside the content of a)')
    // the content passed, 100 of the 509 padding bytes: the reader stopped at 615
    await fails(whole.subarray(0, 615), 'x: truncated tar (inside the padding after offset 615)')
    // a pax header whose 29-byte body is cut, and one whose padding is
    const pax = Buffer.concat([block('ExtendedHeader', 29), Buffer.from('29 path=a-name-from-the-pax.\n')])
    assert.equal(pax.length, 541)
    await fails(pax.subarray(0, 530), 'x: truncated tar (inside the header at offset 0)')
    await fails(pax, 'x: truncated tar (inside the padding after offset 541)')
  })

  it('a tar of only zeros is empty; zeros then anything else, or a bad first checksum, is not a tar', async () => {
    assert.deepEqual(await headers(Buffer.alloc(1024)), [])
    assert.deepEqual(await headers(Buffer.alloc(512)), [])
    await fails(Buffer.concat([Buffer.alloc(512), Buffer.from('hello\0')]), 'x: not a tar archive')
    const whole = tarOf([{path: 'a', content: 'abc'}, {path: 'b'}])
    const first = Buffer.from(whole)
    first[0] ^= 1
    await fails(first, 'x: not a tar archive')
    // past the first member, zeros end the walk whatever follows them
    const trailing = Buffer.concat([whole.subarray(0, 1536), Buffer.alloc(512), Buffer.from('junk')])
    assert.deepEqual(
      (await headers(trailing)).map((h) => h.path),
      ['a', 'b'],
    )
    const second = Buffer.from(whole)
    second[1024] ^= 1
    await fails(second, 'x: corrupt tar header at offset 1024 (bad checksum)')
  })

  it('a base-256 size that is negative or past 2^53 is a corrupt header, named with its offset', async () => {
    /** The member "b" after a member "a", its size field (bytes 124-135) set to `size`, its checksum made right. */
    const withSize = (size: number[]) => {
      const tar = tarOf([{path: 'a', content: 'abc'}, {path: 'b'}])
      const header = tar.subarray(1024, 1536)
      Buffer.from(size).copy(header, 124)
      header.fill(0x20, 148, 156)
      const sum = header.reduce((total, byte) => total + byte, 0)
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
      return tar
    }
    // base-256: 0xff first is negative (twelve bytes of two's complement: -2), 0x80 first positive (2^64)
    const negative = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]
    const past = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    await fails(withSize(negative), 'x: corrupt tar header at offset 1024 (size)')
    await fails(
      withSize(past),
      'x: corrupt tar header at offset 1024 (parsed number outside of javascript safe integer range)',
    )
    // the same number in a block whose checksum is wrong is no header: at offset 0, no tar
    const first = withSize(past).subarray(1024)
    first[0] ^= 1
    await fails(first, 'x: not a tar archive')
    // a base-256 size in range is read: 3 (0x80, then 3 in the last byte), as GNU tar writes sizes past 8 GiB; b's
    // content is the first 3 bytes of the end-of-archive blocks, and the second block ends the walk
    const three = withSize([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3])
    assert.deepEqual(
      (await headers(three)).map((h) => [h.path, h.size]),
      [
        ['a', 3],
        ['b', 3],
      ],
    )
  })

  it('a pax or GNU long-name body above 1 MiB is refused; one of exactly 1 MiB is read', async () => {
    await fails(
      block('ExtendedHeader', (1 << 20) + 1),
      'x: ExtendedHeader header at offset 0 is too large (1048577 bytes)',
    )
    await fails(
      block('NextFileHasLongPath', (1 << 20) + 1, '././@LongLink'),
      'x: NextFileHasLongPath header at offset 0 is too large (1048577 bytes)',
    )
    // 1 MiB announced, 10 bytes there: read (not refused), then found short
    await fails(
      Buffer.concat([block('ExtendedHeader', 1 << 20), Buffer.alloc(10)]),
      'x: truncated tar (inside the header at offset 0)',
    )
  })

  it('each member: its header fields, content offset and xattrs; a pax header applies to the next member only', async () => {
    const tar = tarOf([
      {path: 'a', content: 'abc', mode: 0o600, uid: 7, gid: 8, uname: 'u', gname: 'g', mtime: 1000},
      {path: 'd/', type: 'dir'},
      {path: 'x', content: Buffer.alloc(600), xattrs: {'user.k': 'v=1', 'security.capability': 'cap'}},
      {path: 'l', type: 'symlink', linkpath: 'a'},
      {path: 'h', type: 'hardlink', linkpath: 'a'},
      {path: 'c', type: 'char', devmajor: 1, devminor: 3},
      {path: 'f', type: 'fifo'},
    ])
    const seen = await headers(tar)
    assert.deepEqual(seen[0], {
      path: 'a',
      type: 'file',
      size: 3,
      mode: 0o600,
      uid: 7,
      gid: 8,
      uname: 'u',
      gname: 'g',
      mtime: 1000,
      linkpath: '',
      devmajor: 0,
      devminor: 0,
      dataOffset: 512,
    })
    // a at 0 (+1 content block), d/ at 1024, x's pax header at 1536 with its body block, x at 2560 (+2 blocks), …
    assert.deepEqual(
      seen.map((h) => [h.path, h.type, h.size, h.dataOffset, h.linkpath, h.devmajor, h.devminor, h.xattrs]),
      [
        ['a', 'file', 3, 512, '', 0, 0, undefined],
        ['d/', 'dir', 0, 1536, '', 0, 0, undefined],
        ['x', 'file', 600, 3072, '', 0, 0, {'user.k': 'v=1', 'security.capability': 'cap'}],
        ['l', 'symlink', 0, 4608, 'a', 0, 0, undefined],
        ['h', 'hardlink', 0, 5120, 'a', 0, 0, undefined],
        ['c', 'char', 0, 5632, '', 1, 3, undefined],
        ['f', 'fifo', 0, 6144, '', 0, 0, undefined],
      ],
    )
    assert.equal('xattrs' in seen[3], false)
  })

  it('GNU long names (types L and N) without a trailing NUL, a hardlink with content, a pax comment naming an xattr', async () => {
    const body = (text: string) => Buffer.concat([Buffer.from(text), Buffer.alloc(512 - text.length)])
    const linked = Buffer.alloc(512)
    new Header({path: 'h', type: 'Link', linkpath: 'a', size: 5, mode: 0o644, mtime: new Date(0)} as never).encode(
      linked,
      0,
    )
    // a pax record whose value holds the text of an xattr record is not one
    const comment = '40 comment=not 20 SCHILY.xattr.user.a=b\n'
    assert.equal(comment.length, 40)
    const tar = Buffer.concat([
      block('NextFileHasLongPath', 9, '././@LongLink'),
      body('long-name'),
      tarOf([{path: 'short-1'}], {end: false}),
      block('OldGnuLongPath', 8, '././@LongLink'),
      body('old-name'),
      tarOf([{path: 'short-2'}], {end: false}),
      linked,
      body('abcde'),
      block('ExtendedHeader', 40),
      body(comment),
      tarOf([{path: 'p'}]),
    ])
    const seen = await headers(tar)
    assert.deepEqual(
      seen.map((h) => [h.path, h.type, h.size, h.linkpath, h.xattrs]),
      [
        ['long-name', 'file', 0, '', undefined],
        ['old-name', 'file', 0, '', undefined],
        ['h', 'hardlink', 0, 'a', undefined],
        ['p', 'file', 0, '', undefined],
      ],
    )
  })

  it('a visitor that returns false, or a promise of false, ends the walk; one that reads the content leaves the rest', async () => {
    const tar = tarOf([{path: 'a', content: 'abcdef'}, {path: 'b', content: 'gh'}, {path: 'c'}])
    assert.deepEqual(
      (await headers(tar, 2)).map((h) => h.path),
      ['a', 'b'],
    )
    const paths: string[] = []
    const read: string[] = []
    await walkTar(new StreamReader([tar]), 'x', async (member) => {
      paths.push(member.header.path)
      read.push((await member.body.read(2)).toString())
      return member.header.path === 'b' ? false : undefined
    })
    assert.deepEqual(paths, ['a', 'b'])
    assert.deepEqual(read, ['ab', 'gh'])
  })

  it('a walk over many members lets timers run every 4,096 members', async () => {
    const tar = tarOf(Array.from({length: 8200}, (_, i) => ({path: `f${i}`})))
    let seen = 0
    const turns: number[] = []
    const watch = () => {
      turns.push(seen)
      if (seen < 8200) setImmediate(watch)
    }
    setImmediate(watch)
    await walkTar(new StreamReader([tar]), 'x', () => {
      seen++
    })
    assert.equal(seen, 8200)
    assert.deepEqual(turns.slice(0, 2), [4095, 8191])
  })

  it('tarMembers: the members in order; a consumer that stops ends the walk; a failure follows the members before it', async () => {
    // a at 0 (content 512-514), b at 1024 (content 1536-1537), c at 2048
    const tar = tarOf([
      {path: 'a', content: 'abc'},
      {path: 'b', content: 'de'},
      {path: 'c', content: 'f'},
    ])
    const all: string[] = []
    for await (const member of tarMembers(new StreamReader([tar]), 'x'))
      all.push(`${member.header.path}=${(await member.body.read(10)).toString()}`)
    assert.deepEqual(all, ['a=abc', 'b=de', 'c=f'])

    const reader = new StreamReader([tar])
    const first: string[] = []
    for await (const member of tarMembers(reader, 'x')) {
      first.push(member.header.path)
      break
    }
    assert.deepEqual(first, ['a'])
    // the walk ended at a's header: nothing past it was read
    assert.equal(reader.position, 512)

    const cut: string[] = []
    await assert.rejects(
      (async () => {
        for await (const member of tarMembers(new StreamReader([tar.subarray(0, 1537)]), 'x'))
          cut.push(member.header.path)
      })(),
      {name: 'InputError', message: 'x: truncated tar (inside the content of b)'},
    )
    assert.deepEqual(cut, ['a', 'b'])

    // a tar with no member: nothing is pulled, and nothing fails
    const none: string[] = []
    for await (const member of tarMembers(new StreamReader([Buffer.alloc(1024)]), 'x')) none.push(member.header.path)
    assert.deepEqual(none, [])
  })
})
