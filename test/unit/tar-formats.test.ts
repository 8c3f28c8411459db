// The tar dialects layers come in, each written by GNU tar here and judged by GNU tar's own listing: GNU long
// names and link targets, base-256 numbers, global pax headers, GNU sparse files, and an entry type no reader knows.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {StreamReader} from '../../src/tar/byte-reader.js'
import {type TarHeader, walkTar} from '../../src/tar/walk.js'
import {scratch} from '../helpers/images.js'

/** Every member of a tar as our reader sees it, its content read. */
async function members(tar: Buffer): Promise<Array<Omit<TarHeader, 'dataOffset'> & {content: string}>> {
  const out: Array<Omit<TarHeader, 'dataOffset'> & {content: string}> = []
  await walkTar(new StreamReader([tar]), 'layer', async ({header, body}) => {
    const {dataOffset: _offset, ...fields} = header
    const content = await body.read(Math.min(header.size, 4096))
    out.push({...fields, content: content.toString('latin1').replaceAll('\0', '')})
  })
  return out
}

/** GNU tar's listing: `tar --numeric-owner --full-time -tvf`. */
function gnuListing(tar: string): string[] {
  return execFileSync('tar', ['--numeric-owner', '--utc', '--full-time', '-tvf', tar], {encoding: 'utf8'})
    .trimEnd()
    .split('\n')
}

const T = 1_700_000_000 // 2023-11-14 22:13:20 UTC
const plain = {mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: T, linkpath: ''}

describe('tar dialects, as GNU tar writes and reads them', () => {
  let tmp: ReturnType<typeof scratch>
  let src = ''
  before(() => {
    // a fresh directory for each run: a runner may run the suite again in the same process (Stryker's mocha runner
    // does, for each mutant), after the last run's `after` removed it
    tmp = scratch()
    src = join(tmp.dir, 'src')
    mkdirSync(src)
  })
  after(() => tmp.remove())
  const gnuTar = (name: string, ...args: string[]) => {
    const path = join(tmp.dir, name)
    execFileSync('tar', ['-cf', path, '-C', src, ...args])
    return path
  }

  it('GNU long names and long link targets (././@LongLink, types L and K)', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(60)}.txt`
    const target = `../${'t'.repeat(130)}`
    mkdirSync(join(src, 'd'.repeat(120)), {recursive: true})
    writeFileSync(join(src, long), 'hello\n')
    symlinkSync(target, join(src, 'link'))
    const tar = gnuTar('long.tar', '--format=gnu', `--mtime=@${T}`, '--owner=root:0', '--group=root:0', long, 'link')
    const bytes = readFileSync(tar)
    // the archive really has the GNU headers: an L before the file, a K before the link
    assert.deepEqual(
      [bytes[156], bytes[2048 + 156]].map((b) => String.fromCharCode(b)),
      ['L', 'K'],
    )
    assert.deepEqual(gnuListing(tar), [
      `-rw-r--r-- 0/0               6 2023-11-14 22:13:20 ${long}`,
      `lrwxrwxrwx 0/0               0 2023-11-14 22:13:20 link -> ${target}`,
    ])
    assert.deepEqual(await members(bytes), [
      {...plain, path: long, type: 'file', size: 6, devmajor: 0, devminor: 0, content: 'hello\n'},
      {
        ...plain,
        path: 'link',
        type: 'symlink',
        size: 0,
        mode: 0o777,
        linkpath: target,
        devmajor: 0,
        devminor: 0,
        content: '',
      },
    ])
  })

  it('base-256 numbers: owners above 2,097,151 and an mtime past 2242', async () => {
    writeFileSync(join(src, 'big-ids'), 'big\n')
    const tar = gnuTar(
      'b256.tar',
      '--format=gnu',
      '--mtime=@99999999999',
      '--owner=u:3000000',
      '--group=g:4000000',
      'big-ids',
    )
    const bytes = readFileSync(tar)
    // uid, gid and mtime are base-256 (a first byte with the high bit set), too large for 7 and 11 octal digits
    assert.deepEqual([bytes[108], bytes[116], bytes[136]], [0x80, 0x80, 0x80])
    assert.deepEqual(gnuListing(tar), ['-rw-r--r-- 3000000/4000000   4 5138-11-16 09:46:39 big-ids'])
    assert.deepEqual(await members(bytes), [
      {
        ...plain,
        path: 'big-ids',
        type: 'file',
        size: 4,
        uid: 3_000_000,
        gid: 4_000_000,
        uname: 'u',
        gname: 'g',
        mtime: 99_999_999_999,
        devmajor: 0,
        devminor: 0,
        content: 'big\n',
      },
    ])
  })

  it('a global pax header applies to every entry after it, over their ustar fields, as GNU tar applies it', async () => {
    // (the engine's Go reader returns it as an entry of its own and ignores it: owner names do not matter there)
    writeFileSync(join(src, 'a'), 'a')
    writeFileSync(join(src, 'b'), 'bb')
    const tar = gnuTar(
      'global.tar',
      '--format=pax',
      `--mtime=@${T}`,
      '--owner=root:0',
      '--group=root:0',
      '--pax-option=delete=atime,delete=ctime,uname=globe,gname=globg',
      'a',
      'b',
    )
    const bytes = readFileSync(tar)
    assert.equal(String.fromCharCode(bytes[156]), 'g')
    assert.equal(bytes.subarray(512, 542).toString('latin1'), '15 gname=globg\n15 uname=globe\n')
    assert.deepEqual(
      execFileSync('tar', ['--utc', '--full-time', '-tvf', tar], {encoding: 'utf8'}).trimEnd().split('\n'),
      ['-rw-r--r-- globe/globg       1 2023-11-14 22:13:20 a', '-rw-r--r-- globe/globg       2 2023-11-14 22:13:20 b'],
    )
    assert.deepEqual(
      (await members(bytes)).map((m) => [m.path, m.size, m.uname, m.gname, m.uid, m.mtime, m.content]),
      [
        ['a', 1, 'globe', 'globg', 0, T, 'a'],
        ['b', 2, 'globe', 'globg', 0, T, 'bb'],
      ],
    )
  })

  it('a GNU sparse file (type S) counts the bytes it stores, not the size GNU tar expands it to', async () => {
    const sparse = join(src, 'sparse.bin')
    writeFileSync(sparse, '')
    truncateSync(sparse, 10 * 2 ** 30)
    execFileSync('dd', ['of=' + sparse, 'bs=1', 'seek=5000000000', 'conv=notrunc', 'status=none'], {input: 'data'})
    const tar = gnuTar(
      'sparse.tar',
      '--format=gnu',
      '--sparse',
      `--mtime=@${T}`,
      '--owner=root:0',
      '--group=root:0',
      'sparse.bin',
    )
    const bytes = readFileSync(tar)
    assert.equal(String.fromCharCode(bytes[156]), 'S')
    // GNU tar expands it to its 10 GiB; the engine refuses such a layer ("unhandled tar header type 83"); a
    // reader that does not know type S takes it, as POSIX says, for a regular file of the bytes it stores
    assert.deepEqual(gnuListing(tar), ['-rw-r--r-- 0/0     10737418240 2023-11-14 22:13:20 sparse.bin'])
    assert.deepEqual(
      (await members(bytes)).map((m) => [m.path, m.type, m.size, m.content]),
      [['sparse.bin', 'file', 4096, 'data']],
    )
  })

  it('an entry type no reader knows is a regular file, as POSIX says and GNU tar extracts it', async () => {
    writeFileSync(join(src, 'odd'), 'odd\n')
    const tar = gnuTar('odd.tar', '--format=ustar', `--mtime=@${T}`, '--owner=root:0', '--group=root:0', 'odd')
    const bytes = readFileSync(tar)
    // type Q, the checksum made anew: the sum of the header's bytes with the checksum field as spaces
    bytes[156] = 'Q'.charCodeAt(0)
    bytes.fill(0x20, 148, 156)
    let sum = 0
    for (let i = 0; i < 512; i++) sum += bytes[i]
    bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
    writeFileSync(tar, bytes)
    assert.deepEqual(gnuListing(tar), ['?rw-r--r-- 0/0               4 2023-11-14 22:13:20 odd unknown file type ‘Q’'])
    assert.deepEqual(
      (await members(bytes)).map((m) => [m.path, m.type, m.size, m.content]),
      [['odd', 'file', 4, 'odd\n']],
    )
  })
})
