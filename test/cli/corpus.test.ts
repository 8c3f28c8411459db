import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import {Header} from 'tar'

import {InputError} from '../../src/errors.js'
import {END_OF_ARCHIVE, headerBlocks, type OutEntry, padding} from '../../src/tar/encode.js'
import {openArchiveFile} from '../../src/sources/archive.js'
import {BIN, runCli} from '../helpers/cli.js'
import {legacySave, ociArchive, scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {tarOf} from '../helpers/tar.js'

const SPEC = {
  tag: 'c:1',
  layers: [
    {
      members: [
        {path: 'a', size: 1500},
        {path: 'dir/b', size: 700},
      ],
    },
    {members: [{path: '.wh.a'}, {path: 'c', size: 10}]},
  ],
}

/** Every 512-byte block boundary, and a cut inside every block, of an archive. */
function cutPoints(size: number): number[] {
  const points: number[] = []
  for (let at = 0; at < size - 1024; at += 512) points.push(at, at + 100)
  return points
}

describe('bad-input corpus: one line, exit 2, nothing left behind', function () {
  this.timeout(300_000)
  const tmp = scratch()
  after(() => tmp.remove())

  it('truncation at every structural boundary of legacy and OCI archives (plain, gzip, zstd) is an input error', async () => {
    let cases = 0
    for (const archive of [
      legacySave([SPEC]),
      legacySave([SPEC], {compression: 'gzip'}),
      ociArchive([SPEC], {compression: 'zstd', dockerManifest: true}),
      ociArchive([SPEC], {compression: 'gzip'}),
    ]) {
      for (const cut of cutPoints(archive.length)) {
        const path = join(tmp.dir, 'cut.tar')
        writeFileSync(path, archive.subarray(0, cut))
        await assert.rejects(openArchiveFile(path, {}), (error: Error) => {
          assert.ok(error instanceof InputError, `cut at ${cut}: ${error.stack}`)
          assert.doesNotMatch(error.message, /\n/)
          return true
        })
        cases++
      }
    }
    assert.ok(cases > 100, `${cases} cut points`)
  })

  it('a header claiming a 1 TB file, and a 100 MB pax header, fail fast', async () => {
    const huge = Buffer.alloc(512)
    new Header({path: 'huge', type: 'File', size: 1e12, mode: 0o644, mtime: new Date(0)} as never).encode(huge, 0)
    const layer = Buffer.concat([huge, Buffer.alloc(4096)])
    const archive = tarOf([
      {path: 'l/layer.tar', content: layer},
      {path: 'c.json', content: '{}'},
      {path: 'manifest.json', content: JSON.stringify([{Config: 'c.json', Layers: ['l/layer.tar']}])},
    ])
    const tb = await runCli(['analyze', tmp.file('tb.tar', archive)])
    assert.deepEqual(
      [tb.code, tb.stderr],
      [2, `docker-layers: ${tmp.file('tb.tar')}: layer 0 (l/layer.tar): truncated tar (inside the content of huge)\n`],
    )
    const pax = Buffer.alloc(512)
    new Header({
      path: 'PaxHeader/x',
      type: 'ExtendedHeader',
      size: 100 << 20,
      mode: 0o644,
      mtime: new Date(0),
    } as never).encode(pax, 0)
    const big = tarOf([
      {path: 'l/layer.tar', content: Buffer.concat([pax, Buffer.alloc(1024)])},
      {path: 'c.json', content: '{}'},
      {path: 'manifest.json', content: JSON.stringify([{Config: 'c.json', Layers: ['l/layer.tar']}])},
    ])
    const result = await runCli(['analyze', tmp.file('pax.tar', big)])
    assert.deepEqual(
      [result.code, result.stderr],
      [
        2,
        `docker-layers: ${tmp.file('pax.tar')}: layer 0 (l/layer.tar): ExtendedHeader header at offset 0 is too large (104857600 bytes)\n`,
      ],
    )
  })

  it('a layer of a million empty entries: exact figures within 512 MB of RSS', async () => {
    const count = 1_000_000
    const file = (path: string, size = 0): OutEntry => ({
      path,
      kind: 'file',
      size,
      mode: 0o644,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      mtime: 1_700_000_000,
      linkpath: '',
      devmajor: 0,
      devminor: 0,
    })
    const path = join(tmp.dir, 'million.tar')
    const fd = openSync(path, 'w')
    let batch: Buffer[] = []
    const put = (block: Buffer) => {
      batch.push(block)
      if (batch.length >= 8192) {
        writeSync(fd, Buffer.concat(batch))
        batch = []
      }
    }
    put(headerBlocks(file('l/layer.tar', count * 512 + END_OF_ARCHIVE.length)))
    for (let i = 0; i < count; i++) put(headerBlocks(file(`d${Math.floor(i / 1000)}/e${i}`)))
    put(END_OF_ARCHIVE)
    for (const [name, text] of [
      ['c.json', '{"rootfs":{"type":"layers"}}'],
      ['manifest.json', JSON.stringify([{Config: 'c.json', Layers: ['l/layer.tar']}])],
    ]) {
      const data = Buffer.from(text)
      put(headerBlocks(file(name, data.length)))
      put(data)
      put(padding(data.length))
    }
    put(END_OF_ARCHIVE)
    writeSync(fd, Buffer.concat(batch))
    closeSync(fd)
    const timed = join(tmp.dir, 'million.time')
    // measured as users run it: without the coverage that c8 collects from child processes (an empty
    // value, since child_process adds the parent's NODE_V8_COVERAGE back to an env that lacks the key)
    const env = {...process.env, NODE_V8_COVERAGE: ''}
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', '-o', timed, process.execPath, BIN, 'analyze', path, '--format', 'json'],
      {encoding: 'utf8', maxBuffer: 1 << 20, env},
    )
    assert.equal(run.status, 0, run.stderr)
    const report = JSON.parse(run.stdout)
    assert.deepEqual(
      [report.layers[0].entries, report.summary.finalFiles, report.summary.totalBytes, report.summary.wastedBytes],
      [count, count, 0, 0],
    )
    const peakKb = Number(readFileSync(timed, 'utf8').trim().split('\n').at(-1))
    assert.ok(peakKb <= 512 * 1024, `peak RSS ${peakKb} kB`)
  })

  it('duplicate archive members, and a layer link leaving the archive, are refused', async () => {
    const manifest = JSON.stringify([{Config: 'c.json', Layers: ['l/layer.tar']}])
    const dup = tarOf([
      {path: 'l/layer.tar', content: tarOf([])},
      {path: 'c.json', content: '{}'},
      {path: 'manifest.json', content: manifest},
      {path: 'manifest.json', content: '[]'},
    ])
    const twice = await runCli(['analyze', tmp.file('dup.tar', dup)])
    assert.deepEqual(
      [twice.code, twice.stderr],
      [2, `docker-layers: ${tmp.file('dup.tar')}: manifest.json appears twice in the archive\n`],
    )
    const escape = tarOf([
      {path: 'l/layer.tar', type: 'symlink', linkpath: '../../../etc/passwd'},
      {path: 'c.json', content: '{}'},
      {path: 'manifest.json', content: manifest},
    ])
    const out = await runCli(['analyze', tmp.file('escape.tar', escape)])
    assert.deepEqual(
      [out.code, out.stderr],
      [2, `docker-layers: ${tmp.file('escape.tar')}: l/layer.tar links outside the archive (../../../etc/passwd)\n`],
    )
  })

  it('non-UTF-8 names are read, not refused (as docker does); the replacement character stands in', async () => {
    const layer = Buffer.from(tarOf([{path: 'XX-name', content: 'x'}]))
    layer[0] = 0xff
    layer[1] = 0xfe
    let sum = 0
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : layer[i]
    layer.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
    const archive = tarOf([
      {path: 'l/layer.tar', content: layer},
      {path: 'c.json', content: '{}'},
      {path: 'manifest.json', content: JSON.stringify([{Config: 'c.json', Layers: ['l/layer.tar']}])},
    ])
    const result = await runCli(['files', tmp.file('latin.tar', archive), '--format', 'json'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      JSON.parse(result.stdout).files.map((f: any) => f.path),
      ['/\uFFFD\uFFFD-name'],
    )
  })

  it('a full disk while writing -o: one line, exit 2, no partial file', async function () {
    requirePrerequisites(this, 'fullDisk')
    const mount = join(tmp.dir, 'small')
    const {mkdirSync} = await import('node:fs')
    mkdirSync(mount)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], {encoding: 'utf8'})
    assert.equal(mounted.status, 0, mounted.stderr)
    try {
      const source = tmp.file(
        'full-src.tar',
        legacySave([{tag: 'f:1', layers: [{members: [{path: 'big', size: 200_000}]}]}]),
      )
      const result = await runCli(['flatten', source, '-o', join(mount, 'out.tar')])
      assert.deepEqual(
        [result.code, result.stderr],
        [2, `docker-layers: cannot write ${join(mount, 'out.tar')}: ENOSPC\n`],
      )
      assert.deepEqual(readdirSync(mount), [])
    } finally {
      spawnSync('umount', [mount])
    }
  })

  it('SIGTERM and SIGINT during flatten: one line, no output, temporary files removed', async () => {
    const source = tmp.file(
      'slow-src.tar',
      legacySave([
        {
          tag: 's:1',
          layers: Array.from({length: 4}, (_, i) => ({
            members: Array.from({length: 800}, (_, j) => ({path: `d${i}/f${j}`, size: 60_000})),
          })),
        },
      ]),
    )
    // the command's own temporary directory: its spool appearing there says the command is at work
    const temporary = join(tmp.dir, 'tmpdir')
    const {createReadStream, mkdirSync} = await import('node:fs')
    mkdirSync(temporary)
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const out = join(tmp.dir, `sig-${signal}.tar`)
      const child = spawn(process.execPath, [BIN, 'flatten', '-', '-o', out], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {...process.env, TMPDIR: temporary},
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      createReadStream(source)
        .pipe(child.stdin)
        .on('error', () => {})
      while (readdirSync(temporary).length === 0 && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      child.kill(signal)
      const code = await new Promise((resolve) => child.on('close', resolve))
      assert.equal(code, signal === 'SIGINT' ? 130 : 143)
      assert.equal(stderr, `docker-layers: interrupted by ${signal}; nothing was written\n`)
      assert.equal(existsSync(out), false)
      assert.deepEqual(
        readdirSync(tmp.dir).filter((name) => name.includes('.tmp-')),
        [],
      )
      assert.deepEqual(readdirSync(temporary), [])
    }
  })
})
