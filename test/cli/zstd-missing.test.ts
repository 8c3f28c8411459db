import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {analyzeJson, BIN, runCli} from '../helpers/cli.js'
import {buildImage, type ImageSpec, legacySave, ociArchive, scratch} from '../helpers/images.js'

/** The CLI run with zstd-napi failing to load, as when its native build failed (test/helpers/no-zstd.mjs). */
const NO_ZSTD = [process.execPath, '--import', fileURLToPath(new URL('../helpers/no-zstd.mjs', import.meta.url)), BIN]

const SPEC: ImageSpec = {tag: 'z:1', layers: [{members: [{path: 'a', content: 'abc'}]}]}

describe('zstd-napi failing to load costs zstd alone', () => {
  const tmp = scratch()
  after(() => tmp.remove())

  it('a zstd layer names the module that did not load; plain and gzip layers read as ever', async () => {
    const zstd = tmp.file('zstd.tar', ociArchive([SPEC], {compression: 'zstd', dockerManifest: true}))
    const result = await runCli(['analyze', zstd], {command: NO_ZSTD})
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [
        2,
        '',
        `docker-layers: ${zstd}: layer 0 (${buildImage(SPEC).diffIds[0]}): zstd layers need the zstd-napi ` +
          `module, which did not load (zstd-napi did not build)\n`,
      ],
    )
    const gzip = tmp.file('gzip.tar', ociArchive([SPEC], {compression: 'gzip', dockerManifest: true}))
    assert.deepEqual((await analyzeJson([gzip], {command: NO_ZSTD})).summary.finalBytes, 3)
  })

  it('flatten --compress zstd says so and leaves nothing behind; --compress gzip works', async () => {
    const source = tmp.file('source.tar', legacySave([SPEC]))
    const out = scratch('dl-zstd-out-')
    try {
      const zstd = await runCli(['flatten', source, '-o', `${out.dir}/flat.tar`, '--compress', 'zstd'], {
        command: NO_ZSTD,
      })
      assert.deepEqual(
        [zstd.code, zstd.stdout, zstd.stderr],
        [
          2,
          '',
          'docker-layers: --compress zstd needs the zstd-napi module, which did not load (zstd-napi did not build)\n',
        ],
      )
      assert.deepEqual(readdirSync(out.dir), [])
      const gzip = await runCli(['flatten', source, '-o', `${out.dir}/flat.tar`, '--compress', 'gzip', '--verify'], {
        command: NO_ZSTD,
      })
      assert.deepEqual([gzip.code, gzip.stderr], [0, ''])
      assert.deepEqual(readdirSync(out.dir), ['flat.tar'])
    } finally {
      out.remove()
    }
  })
})
