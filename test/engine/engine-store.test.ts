// Reading engine images from the engine's own layer store: when it falls back to docker save, and what a layer
// changed on disk does.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Engine} from '../../src/engine/client.js'
import {chainIds, findLayerStore} from '../../src/sources/engine-store.js'
import {analyzeJson, BIN, runCli} from '../helpers/cli.js'
import {legacySave} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {type PrivateEngine, startDockerd} from './dockerd.js'

const SPEC = {
  tag: 'store:1',
  layers: [
    {
      createdBy: 'base',
      members: [
        {path: 'etc/app.conf', content: 'color=blue\n'},
        {path: 'bin/tool', size: 2000},
      ],
    },
    {createdBy: 'rm', members: [{path: 'bin/.wh.tool'}]},
  ],
}
// by hand: 11 + 2000 bytes stored, etc/app.conf alone shown
const FIGURES = {layers: 2, totalBytes: 2011, finalBytes: 11, wastedBytes: 2000}
const figures = (report: any) => {
  const {layers, totalBytes, finalBytes, wastedBytes} = report.summary
  return {layers, totalBytes, finalBytes, wastedBytes}
}

describe("engine store: reading the engine's layer store, and falling back to docker save", function () {
  let engine: PrivateEngine

  before(async function () {
    requirePrerequisites(this, 'engine')
    this.timeout(300_000)
    engine = await startDockerd()
    assert.equal((await engine.docker(['load', '-q'], {stdin: legacySave([SPEC])})).code, 0)
  })

  after(async () => {
    await engine?.stop()
  })

  /** The directory holding layer `index`'s files (overlay2), found as the engine records it. */
  function layerDir(index: number): string {
    const inspect = JSON.parse(
      spawnSync('docker', ['image', 'inspect', 'store:1'], {env: {...process.env, ...engine.env}}).stdout.toString(),
    )[0]
    const chain = chainIds(inspect.RootFS.Layers)[index].slice(7)
    const cacheId = readFileSync(join(engine.dir, 'data/image/overlay2/layerdb/sha256', chain, 'cache-id'), 'utf8')
    return join(engine.dir, 'data/overlay2', cacheId, 'diff')
  }

  it('chain IDs as the engine computes them: its layerdb holds a directory for each', () => {
    const inspect = JSON.parse(
      spawnSync('docker', ['image', 'inspect', 'store:1'], {env: {...process.env, ...engine.env}}).stdout.toString(),
    )[0]
    const layerdb = readdirSync(join(engine.dir, 'data/image/overlay2/layerdb/sha256'))
    for (const chain of chainIds(inspect.RootFS.Layers)) assert.ok(layerdb.includes(chain.slice(7)), chain)
    assert.equal(chainIds(inspect.RootFS.Layers)[0], inspect.RootFS.Layers[0])
  })

  it('a remote engine is never read through the local disk', async () => {
    const remote = {endpoint: {host: 'tcp://127.0.0.1:2375', from: '-H'}} as unknown as Engine
    assert.deepEqual(await findLayerStore(remote), {
      reason: 'the engine at tcp://127.0.0.1:2375 is not local, so its layer store is not at hand',
    })
  })

  it('a data root this user may not read: auto falls back to docker save with a note; --via store fails', async () => {
    // the engine's socket for anyone; its data root stays root's
    chmodSync(engine.dir, 0o711)
    chmodSync(join(engine.dir, 'd.sock'), 0o666)
    const coverage = join(tmpdir(), `dl-nobody-store-${process.pid}`)
    mkdirSync(coverage, {recursive: true, mode: 0o777})
    chmodSync(coverage, 0o777)
    const env = {...process.env, ...engine.env, DEBUG: '', HOME: '/tmp', NODE_V8_COVERAGE: coverage}
    const asNobody = (args: string[]) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], {
        encoding: 'utf8',
        env,
      })
    try {
      const auto = asNobody(['analyze', 'store:1', '--format', 'json'])
      const root = join(engine.dir, 'data')
      assert.deepEqual(
        [auto.status, auto.stderr],
        [
          0,
          `note: no permission to read the engine's data root ${root}: reading through docker save, which is slower (run as root)\n`,
        ],
      )
      assert.deepEqual(figures(JSON.parse(auto.stdout)), FIGURES)
      assert.equal(JSON.parse(auto.stdout).source.format, 'docker-legacy')
      const store = asNobody(['analyze', 'store:1', '--via', 'store'])
      assert.deepEqual(
        [store.status, store.stdout, store.stderr],
        [2, '', `docker-layers: --via store: no permission to read the engine's data root ${root}\n`],
      )
    } finally {
      rmSync(coverage, {recursive: true, force: true})
      chmodSync(engine.dir, 0o700)
    }
  })

  it('a file changed on disk after the layer was stored is caught by its size or CRC-64; so is a missing layer', async () => {
    assert.deepEqual(figures(await analyzeJson(['store:1'], {env: engine.env})), FIGURES)
    const dir = layerDir(0)
    const conf = join(dir, 'etc/app.conf')
    const where =
      `docker-daemon:store:1: layer 0 ` +
      `(${JSON.parse((await engine.docker(['image', 'inspect', 'store:1'])).stdout)[0].RootFS.Layers[0]})`
    const original = readFileSync(conf)
    try {
      // same size, other bytes: only the checksum can tell (hashing reads every file: waste --duplicates)
      writeFileSync(conf, 'color=red!\n')
      const changed = await runCli(['waste', 'store:1', '--duplicates'], {env: engine.env})
      assert.deepEqual(
        [changed.code, changed.stdout, changed.stderr],
        [2, '', `docker-layers: ${where}: etc/app.conf has changed on disk since the layer was stored (CRC-64)\n`],
      )
      // headers alone never touch the files: analyze still gives the stored figures
      assert.deepEqual(figures(await analyzeJson(['store:1'], {env: engine.env})), FIGURES)
      writeFileSync(conf, 'color=a-longer-one\n')
      const resized = await runCli(['flatten', 'store:1', '-t', 'store:flat'], {env: engine.env})
      assert.deepEqual(
        [resized.code, resized.stderr],
        [2, `docker-layers: ${where}: etc/app.conf has changed size on disk since the layer was stored\n`],
      )
      assert.equal((await engine.docker(['image', 'inspect', 'store:flat'])).code, 1)
    } finally {
      writeFileSync(conf, original)
    }
    renameSync(dir, `${dir}.moved`)
    try {
      const missing = await runCli(['analyze', 'store:1'], {env: engine.env})
      assert.deepEqual(
        [missing.code, missing.stderr],
        [2, `docker-layers: ${where}: the layer directory ${dir} is missing (the image changed on disk)\n`],
      )
    } finally {
      renameSync(`${dir}.moved`, dir)
    }
    assert.deepEqual(figures(await analyzeJson(['store:1', '--via', 'store'], {env: engine.env})), FIGURES)
  })
})
