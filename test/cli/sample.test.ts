import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {SAMPLE, SAMPLE_PATH} from '../../scripts/make-sample.js'
import {analyzeJson, runCli} from '../helpers/cli.js'
import {legacySave, scratch} from '../helpers/images.js'
import {PEER} from '../helpers/peer.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {assertSchema} from '../helpers/schema.js'

describe('the shipped sample and the report schema', () => {
  it('sample/sample-image.tar is what scripts/make-sample.ts writes', () => {
    assert.equal(
      readFileSync(SAMPLE_PATH).equals(legacySave([SAMPLE])),
      true,
      'run `npm run sample` and commit the result',
    )
  })

  it('analyze on the sample: every figure', async () => {
    const report = await analyzeJson([SAMPLE_PATH])
    // wasted: the apt lists (61000, opaque) and pkgcache.bin (24000), the key (2471), and the chown copies of /app
    // (30023)
    assert.deepEqual(report.summary, {
      layers: 6,
      totalBytes: 323_599,
      finalBytes: 206_105,
      finalFiles: 7,
      wastedBytes: 117_494,
      wastedPercent: (117_494 / 323_599) * 100,
      dive: {efficiency: 0.8254197324466392, inefficientBytes: 86_517, userWastedPercent: 86_517 / (323_599 - 96_082)},
    })
    assert.deepEqual(
      report.layers.map((l: any) => [l.bytes, l.added, l.modified, l.removed, l.removedBytes, l.wastedBytes]),
      [
        [96_082, 8, 0, 0, 0, 0],
        [165_000, 4, 0, 0, 0, 85_000],
        [0, 0, 3, 2, 85_000, 0],
        [32_494, 5, 0, 0, 0, 32_494],
        [0, 0, 1, 1, 2471, 0],
        [30_023, 0, 3, 0, 0, 0],
      ],
    )
    const table = await runCli(['analyze', SAMPLE_PATH])
    assert.match(table.stdout, /^2\.47kB {3}\/root\/\.ssh\/id_rsa +3 +4 {3}deleted$/m)
  })

  it('JSON reports validate against docs/schemas/', async () => {
    assertSchema('files', JSON.parse((await runCli(['files', SAMPLE_PATH, '--format', 'json'])).stdout))
    assertSchema(
      'files',
      JSON.parse((await runCli(['files', SAMPLE_PATH, '--tree', '--final', '--format', 'json'])).stdout),
    )
    assertSchema('waste', JSON.parse((await runCli(['waste', SAMPLE_PATH, '--duplicates', '--format', 'json'])).stdout))
    assertSchema(
      'diff',
      JSON.parse((await runCli(['diff', SAMPLE_PATH, SAMPLE_PATH, '--content', '--format', 'json'])).stdout),
    )
    assertSchema(
      'check',
      JSON.parse(
        (await runCli(['check', SAMPLE_PATH, '--forbid-paths', '**/id_rsa', '--max-layers', '9', '--format', 'json']))
          .stdout,
      ),
    )
    assertSchema('files', JSON.parse((await runCli(['files', SAMPLE_PATH, '--tree', '--format', 'json'])).stdout))
    assertSchema('waste', JSON.parse((await runCli(['waste', SAMPLE_PATH, '--format', 'json'])).stdout))
    assertSchema('check-config', JSON.parse((await runCli(['check', '--print-config', '--format', 'json'])).stdout))
    const tmp = scratch()
    try {
      const flat = await runCli(['flatten', SAMPLE_PATH, '-o', tmp.file('flat.tar'), '--verify', '--format', 'json'])
      assertSchema('flatten', JSON.parse(flat.stdout))
    } finally {
      tmp.remove()
    }
    assertSchema('analyze', await analyzeJson([SAMPLE_PATH]))
  })

  it("analyze's JSON of the peer fixtures validates against docs/schemas/", async function () {
    requirePrerequisites(this, 'peerFixtures')
    assertSchema('analyze', await analyzeJson([`${PEER}dive/test-docker-image.tar`]))
    assertSchema('analyze', await analyzeJson([`${PEER}go-containerregistry/whiteout_dir.tar`]))
  })

  it("docker's --format templates: {{.Field}}, {{json .}}, and table with aligned columns", async () => {
    const table = await runCli(['analyze', SAMPLE_PATH, '--format', 'table {{.Index}}\\t{{.WastedBytes}}'])
    assert.equal(
      table.stdout,
      'INDEX   WASTED BYTES\n0       0\n1       85000\n2       0\n3       32494\n4       0\n5       0\n',
    )
    const plain = await runCli(['waste', SAMPLE_PATH, '--format', '{{.path}} {{json .how}}'])
    assert.equal(plain.stdout.split('\n')[2], 'root/.ssh/id_rsa "deleted"')
    const json = await runCli(['files', SAMPLE_PATH, '--layer', '4', '--format', '{{json .}}'])
    assert.deepEqual(
      json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).change),
      ['D', 'M'],
    )
    const bad = await runCli(['analyze', SAMPLE_PATH, '--format', '{{.Nope}}'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^docker-layers: --format: no field Nope \(fields: index, digest, createdBy/)
  })

  it('docker-cli-plugin-metadata answers the docker CLI', async () => {
    const result = await runCli(['docker-cli-plugin-metadata'])
    assert.deepEqual(JSON.parse(result.stdout), {
      SchemaVersion: '0.1.0',
      Vendor: 'docker-layers',
      Version: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
      ShortDescription: 'See where the bytes in an image go, layer by layer',
      URL: 'https://github.com/docker-layers/docker-layers',
    })
  })
})
