// Forms of an image that other tools write and a user hands over as they are: transport names without a
// reference, skopeo's dir: copy, whole-archive compression, and files that are no image at all.
import assert from 'node:assert/strict'
import {gzipSync} from 'node:zlib'
import {compress as zstdCompress} from 'zstd-napi'

import {analyzeJson, runCli} from '../helpers/cli.js'
import {type ImageSpec, legacySave, ociArchive, scratch, writeDirCopy, writeOciLayout} from '../helpers/images.js'

const APP: ImageSpec = {
  tag: 'app:1.0',
  layers: [
    {createdBy: 'ADD rootfs.tar /', members: [{path: 'bin/sh', size: 1000}]},
    {createdBy: 'RUN make', members: [{path: 'tmp/obj.o', size: 700}]},
    {createdBy: 'RUN rm /tmp/obj.o', members: [{path: 'tmp/.wh.obj.o'}]},
  ],
}
// by hand: 1000 + 700 bytes stored, bin/sh alone shown, tmp/obj.o hidden by layer 2
const FIGURES = {layers: 3, totalBytes: 1700, finalBytes: 1000, finalFiles: 1, wastedBytes: 700}

function figures(report: any) {
  const {layers, totalBytes, finalBytes, finalFiles, wastedBytes} = report.summary
  return {layers, totalBytes, finalBytes, finalFiles, wastedBytes}
}

describe('source forms other tools write', () => {
  const tmp = scratch()
  after(() => tmp.remove())

  it('a transport name without :REF reads the archive or layout it names (as skopeo allows)', async () => {
    const oci = tmp.file('app-oci.tar', ociArchive([APP]))
    const docker = tmp.file('app.tar', legacySave([APP]))
    writeOciLayout(tmp.file('layout'), [APP])
    for (const [argument, kind] of [
      [`oci-archive:${oci}`, 'oci-archive'],
      [`docker-archive:${docker}`, 'docker-archive'],
      [`oci:${tmp.file('layout')}`, 'oci-layout'],
    ]) {
      const report = await analyzeJson([argument])
      assert.deepEqual([report.source.kind, figures(report)], [kind, FIGURES], argument)
    }
    const missing = await runCli(['analyze', `oci-archive:${tmp.file('nope.tar')}`])
    assert.deepEqual(
      [missing.code, missing.stderr],
      [2, `docker-layers: cannot read ${tmp.file('nope.tar')}: no such file or directory\n`],
    )
  })

  it("skopeo's dir: copy, Docker or OCI manifest, layers compressed or not, by path and as dir:DIR", async () => {
    for (const [name, options] of [
      ['dir-docker-gzip', {compression: 'gzip'}],
      ['dir-oci-plain', {oci: true}],
      ['dir-zstd', {compression: 'zstd', oci: true}],
    ] as const) {
      const dir = tmp.file(name)
      writeDirCopy(dir, APP, options)
      for (const argument of [dir, `dir:${dir}`]) {
        const report = await analyzeJson([argument])
        assert.deepEqual(report.source, {kind: 'dir', name: dir, format: 'dir'})
        assert.deepEqual(figures(report), FIGURES, argument)
      }
    }
  })

  it('a docker save compressed as a whole (gzip, zstd) from a file and from stdin, with a note', async () => {
    const plain = legacySave([APP])
    for (const [kind, data] of [
      ['gzip', gzipSync(plain)],
      ['zstd', zstdCompress(plain)],
    ] as const) {
      const file = tmp.file(`app.tar.${kind}`, data)
      const fromFile = await runCli(['analyze', file, '--format', 'json'])
      assert.equal(fromFile.code, 0, fromFile.stderr)
      assert.deepEqual(figures(JSON.parse(fromFile.stdout)), FIGURES)
      assert.equal(
        fromFile.stderr,
        `note: ${file} is ${kind}-compressed as a whole: read front to back, without random access (decompress ` +
          `it to read only the layers needed)\n`,
      )
      const fromStdin = await runCli(['analyze', '-', '--format', 'json'], {stdin: data})
      assert.deepEqual([fromStdin.code, fromStdin.stderr], [0, ''])
      assert.deepEqual(figures(JSON.parse(fromStdin.stdout)), FIGURES)
      const out = tmp.file(`flat-${kind}.tar`)
      const flat = await runCli(['flatten', file, '-o', out, '--format', 'json'])
      assert.equal(flat.code, 0, flat.stderr)
      assert.deepEqual(figures(await analyzeJson([out])), {...FIGURES, layers: 1, totalBytes: 1000, wastedBytes: 0})
    }
  })

  it('--platform naming another platform than a single-platform image has is an error, as in docker', async () => {
    const file = tmp.file('amd64.tar', legacySave([APP]))
    const dir = tmp.file('dir-amd64')
    writeDirCopy(dir, APP)
    for (const source of [file, dir]) {
      const result = await runCli(['analyze', source, '--platform', 'linux/arm64'])
      assert.deepEqual(
        [result.code, result.stdout, result.stderr],
        [2, '', `docker-layers: ${source}: no image for platform linux/arm64 (it has linux/amd64)\n`],
      )
      assert.equal((await analyzeJson([source, '--platform', 'linux/amd64'])).summary.layers, 3)
    }
  })

  it('a file that is no image says so in one line: random bytes, text, an empty file, on stdin too', async () => {
    // bytes from a fixed generator: no tar checksum and no gzip/zstd magic
    let state = 7
    const noise = Buffer.from(Array.from({length: 3000}, () => (state = (state * 1103515245 + 12345) % 2 ** 31) >> 16))
    const cases: Array<[string, Buffer, string]> = [
      ['noise.bin', noise, 'not an image: neither a tar archive nor a gzip or zstd compressed one'],
      ['notes.txt', Buffer.from('hello\n'), 'not an image: neither a tar archive nor a gzip or zstd compressed one'],
      ['empty.tar', Buffer.alloc(0), 'empty, not an image archive'],
      ['text.gz', gzipSync('hello\n'), 'not an image: the gzip data is not a tar archive'],
    ]
    for (const [name, data, message] of cases) {
      const file = tmp.file(name, data)
      const result = await runCli(['analyze', file])
      assert.deepEqual([result.code, result.stdout, result.stderr], [2, '', `docker-layers: ${file}: ${message}\n`])
      const piped = await runCli(['analyze', '-'], {stdin: data})
      assert.deepEqual([piped.code, piped.stderr], [2, `docker-layers: -: ${message}\n`])
    }
  })
})
