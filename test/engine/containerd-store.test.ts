// Reading engine images from containerd's image store (dockerd 26 with the containerd snapshotter, as Docker 29
// installs by default): exact figures without docker save, and when it falls back to save or fails.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {formatPlatform, hostPlatform} from '../../src/image/platform.js'
import {analyzeJson, BIN, runCli} from '../helpers/cli.js'
import {legacySave, ociArchive} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {tarOf} from '../helpers/tar.js'
import {type PrivateEngine, startDockerd} from './dockerd.js'

const layers = [
  {
    createdBy: 'base',
    members: [
      {path: 'etc/app.conf', content: 'color=blue\n'},
      {path: 'bin/tool', size: 2000},
    ],
  },
  {createdBy: 'rm', members: [{path: 'bin/.wh.tool'}]},
]
// by hand: 11 + 2000 bytes stored, etc/app.conf alone shown
const FIGURES = {layers: 2, totalBytes: 2011, finalBytes: 11, wastedBytes: 2000}
// docker import of a root filesystem of 8 + 3000 bytes: one layer, nothing hidden
const IMPORTED = {layers: 1, totalBytes: 3008, finalBytes: 3008, wastedBytes: 0}
const figures = (report: any) => {
  const {layers, totalBytes, finalBytes, wastedBytes} = report.summary
  return {layers, totalBytes, finalBytes, wastedBytes}
}

describe("containerd store: reading containerd's content store, and falling back to docker save", function () {
  let engine: PrivateEngine
  let content: string

  before(async function () {
    requirePrerequisites(this, 'containerdEngine')
    this.timeout(300_000)
    engine = await startDockerd({containerd: true})
    content = join(engine.dir, 'data/containerd/daemon/io.containerd.content.v1.content')
    // a docker save archive (uncompressed layers, kept so in the content store), OCI archives of gzip and zstd layers
    assert.equal((await engine.docker(['load', '-q'], {stdin: legacySave([{tag: 'plain:1', layers}])})).code, 0)
    for (const compression of ['gzip', 'zstd'] as const) {
      const archive = ociArchive([{tag: `${compression}:1`, layers}], {compression})
      assert.equal((await engine.docker(['load', '-q'], {stdin: archive})).code, 0)
    }
    const root = tarOf([
      {path: 'etc/os-release', content: 'ID=test\n'},
      {path: 'bin/tool', size: 3000},
    ])
    assert.equal((await engine.docker(['import', '-', 'imported:1'], {stdin: root})).code, 0)
  })

  after(async () => {
    await engine?.stop()
  })

  /** The image's manifest as the content store holds it. */
  async function manifest(image: string): Promise<{layers: Array<{digest: string; mediaType: string}>}> {
    const id = (await engine.docker(['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim()
    return JSON.parse(readFileSync(join(content, 'blobs/sha256', id.slice(7)), 'utf8'))
  }

  const blobFile = (digest: string) => join(content, 'blobs/sha256', digest.slice(7))

  it('docker import and docker load: the exact figures from the content store, the same as through docker save', async () => {
    const want = {'plain:1': FIGURES, 'gzip:1': FIGURES, 'zstd:1': FIGURES, 'imported:1': IMPORTED}
    for (const [image, expected] of Object.entries(want)) {
      const stored = await analyzeJson([image], {env: engine.env})
      assert.deepEqual(stored.source, {kind: 'daemon', name: image, format: 'containerd-store'})
      assert.deepEqual(figures(stored), expected, image)
      const saved = await analyzeJson([image, '--via', 'save'], {env: engine.env})
      assert.equal(saved.source.format, 'docker-oci')
      assert.deepEqual(figures(saved), expected, image)
    }
    // the layers are stored as loaded or imported: as they are, gzip, zstd; docker import gzips
    const types = async (image: string) =>
      (await manifest(image)).layers.map((layer) => layer.mediaType.split('.').pop())
    assert.deepEqual(await types('plain:1'), ['tar', 'tar'])
    assert.deepEqual(await types('gzip:1'), ['tar+gzip', 'tar+gzip'])
    assert.deepEqual(await types('zstd:1'), ['tar+zstd', 'tar+zstd'])
    assert.deepEqual(await types('imported:1'), ['tar+gzip'])
    // file bytes from the same blobs: flatten loads the squashed image, waste --duplicates and diff --content hash
    const flat = await runCli(['flatten', 'zstd:1', '-t', 'flat:1', '--format', 'json'], {env: engine.env})
    assert.equal(flat.code, 0, flat.stderr)
    // the ID flatten reports is the one docker shows: on this store the manifest's digest, not the config's
    const shown = await engine.docker(['images', '--no-trunc', '--format', '{{.ID}}', 'flat:1'])
    assert.equal(JSON.parse(flat.stdout).id, shown.stdout.trim())
    assert.deepEqual(figures(await analyzeJson(['flat:1'], {env: engine.env})), {
      layers: 1,
      totalBytes: 11,
      finalBytes: 11,
      wastedBytes: 0,
    })
    const diff = await runCli(['diff', 'imported:1', 'zstd:1', '--content', '--format', 'json'], {env: engine.env})
    assert.equal(diff.code, 0, diff.stderr)
    const report = JSON.parse(diff.stdout)
    const digest = (content: Buffer | string) => `sha256:${createHash('sha256').update(content).digest('hex')}`
    assert.deepEqual(
      report.files.map((file: any) => [file.path, file.change, (file.before ?? file.after).digest]),
      [
        ['/bin/tool', 'removed', digest(Buffer.alloc(3000))],
        ['/etc/app.conf', 'added', digest('color=blue\n')],
        ['/etc/os-release', 'removed', digest('ID=test\n')],
      ],
    )
    assert.deepEqual(report.summary, {added: 1, removed: 2, changed: 0, bytesA: 3008, bytesB: 11, deltaBytes: -2997})
  })

  it("a multi-platform image: this host's platform, or the one --platform names, from the content store", async () => {
    const host = hostPlatform()
    const other = host.architecture === 'arm64' ? {architecture: 'amd64'} : {architecture: 'arm64', variant: 'v8'}
    const platform = (bytes: number) => [
      {
        createdBy: 'base',
        members: [
          {path: 'etc/app.conf', content: 'color=blue\n'},
          {path: 'bin/tool', size: bytes},
        ],
      },
    ]
    // an index of two platforms (1,011 and 2,011 bytes), loaded untagged: docker load names its ID
    const archive = ociArchive(
      [
        {...host, layers: platform(1000)},
        {os: 'linux', ...other, layers: platform(2000)},
      ],
      {platforms: true, compression: 'gzip'},
    )
    const load = await engine.docker(['load'], {stdin: archive})
    const id = /^Loaded image ID: (sha256:[0-9a-f]{64})$/m.exec(load.stdout)?.[1]
    assert.ok(id, load.stdout)
    assert.equal((await engine.docker(['tag', id, 'multi:1'])).code, 0)
    const read = async (args: string[]) => {
      const report = await analyzeJson(['multi:1', ...args], {env: engine.env})
      return [report.source.format, report.image.architecture, report.summary.totalBytes]
    }
    assert.deepEqual(await read([]), ['containerd-store', host.architecture, 1011])
    const wanted = formatPlatform({os: 'linux', ...other})
    assert.deepEqual(await read(['--platform', wanted]), ['containerd-store', other.architecture, 2011])
    // docker save holds the engine's own platform alone: asked for another, it says so
    const saved = await runCli(['analyze', 'multi:1', '--platform', wanted, '--via', 'save'], {env: engine.env})
    assert.deepEqual(
      [saved.code, saved.stderr],
      [2, `docker-layers: docker-daemon:multi:1: no image for platform ${wanted} (it has ${formatPlatform(host)})\n`],
    )
  })

  it('a content store this user may not read: auto falls back to docker save with a note; --via store fails', async () => {
    // the engine's socket for anyone; its data root stays root's
    chmodSync(engine.dir, 0o711)
    chmodSync(join(engine.dir, 'd.sock'), 0o666)
    const coverage = join(tmpdir(), `dl-nobody-containerd-${process.pid}`)
    mkdirSync(coverage, {recursive: true, mode: 0o777})
    chmodSync(coverage, 0o777)
    const env = {...process.env, ...engine.env, DEBUG: '', HOME: '/tmp', NODE_V8_COVERAGE: coverage}
    const asNobody = (args: string[]) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], {
        encoding: 'utf8',
        env,
      })
    try {
      const auto = asNobody(['analyze', 'gzip:1', '--format', 'json'])
      assert.deepEqual(
        [auto.status, auto.stderr],
        [
          0,
          `note: no permission to read containerd's content store ${content}: reading through docker save, which ` +
            'is slower (run as root)\n',
        ],
      )
      assert.deepEqual(figures(JSON.parse(auto.stdout)), FIGURES)
      assert.equal(JSON.parse(auto.stdout).source.format, 'docker-oci')
      const store = asNobody(['analyze', 'gzip:1', '--via', 'store'])
      assert.deepEqual(
        [store.status, store.stdout, store.stderr],
        [2, '', `docker-layers: --via store: no permission to read containerd's content store ${content}\n`],
      )
    } finally {
      rmSync(coverage, {recursive: true, force: true})
      chmodSync(engine.dir, 0o700)
    }
  })

  it('a layer blob missing from the content store: --via store fails in one line naming it', async () => {
    const {digest} = (await manifest('gzip:1')).layers[1]
    renameSync(blobFile(digest), `${blobFile(digest)}.moved`)
    try {
      const store = await runCli(['analyze', 'gzip:1', '--via', 'store'], {env: engine.env})
      assert.deepEqual(
        [store.code, store.stdout, store.stderr],
        [
          2,
          '',
          `docker-layers: --via store: layer 1's blob ${digest} is not in containerd's content store ${content} ` +
            '(not kept after unpacking, or garbage-collected)\n',
        ],
      )
      // auto goes to docker save, which needs the blob as well: dockerd 26 ends its archive short, without an error
      const auto = await runCli(['analyze', 'gzip:1'], {env: engine.env})
      assert.deepEqual(
        [auto.code, auto.stderr],
        [2, 'docker-layers: docker-daemon:gzip:1: truncated tar (a header at offset 3584 is cut short)\n'],
      )
    } finally {
      renameSync(`${blobFile(digest)}.moved`, blobFile(digest))
    }
    assert.deepEqual(figures(await analyzeJson(['gzip:1', '--via', 'store'], {env: engine.env})), FIGURES)
  })

  it('a blob changed on disk is caught by its digest as it is read, compressed or not', async () => {
    for (const image of ['plain:1', 'gzip:1']) {
      const [layer] = (await manifest(image)).layers
      const file = blobFile(layer.digest)
      const original = readFileSync(file)
      const changed = Buffer.from(original)
      // one byte of the blob's last 1 kB (in a tar, its end-of-archive zeros; in gzip, its CRC and length)
      changed[changed.length - 3] ^= 0xff
      const diffId = JSON.parse((await engine.docker(['image', 'inspect', image])).stdout)[0].RootFS.Layers[0]
      const want =
        `docker-layers: docker-daemon:${image}: layer 0 (${diffId}): ${file} does not match its digest: it ` +
        'changed on disk\n'
      writeFileSync(file, changed)
      try {
        for (const args of [
          ['analyze', image],
          ['waste', image, '--duplicates'],
        ]) {
          const result = await runCli(args, {env: engine.env})
          assert.deepEqual([result.code, result.stdout, result.stderr], [2, '', want], args.join(' '))
        }
      } finally {
        writeFileSync(file, original)
      }
    }
    assert.deepEqual(figures(await analyzeJson(['plain:1', '--via', 'store'], {env: engine.env})), FIGURES)
  })
})
