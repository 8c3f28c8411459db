import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {dirname} from 'node:path'

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
      // those five contents: the two apt files, the key, server and config.yml
      wastedFiles: 5,
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

  it('analyze on the sample: the advice, as advice[] in JSON and the ADVICE section after the waste list', async () => {
    const report = await analyzeJson([SAMPLE_PATH])
    assert.deepEqual(
      report.advice.map((a: any) => [a.id, a.kind, a.bytes, a.layers, a.ref]),
      [
        ['secret', 'waste', 2471, [3, 4], null],
        ['apt-cache', 'waste', 85_000, [1, 2], 'DL3009'],
        ['apt-cache-kept', 'final', 38_000, [1], 'DL3009'],
        ['chmod-copy', 'waste', 30_023, [3, 5], null],
      ],
    )
    const table = await runCli(['analyze', SAMPLE_PATH])
    assert.equal(
      table.stdout.slice(table.stdout.indexOf('\nADVICE') + 1),
      [
        'ADVICE            SAVES   HADOLINT   WHAT AND HOW',
        'secret           2.47kB   -          a secret stored by layer 3 (COPY . /app # with the deploy key) ' +
          'and hidden by layer 4 (RUN rm /root/.ssh/id_rsa) is still in the image',
        '                                     fix: anyone with the image can read it: pass it with RUN ' +
          '--mount=type=secret (or use it in a build stage only), and rotate it',
        '                                     /root/.ssh/id_rsa',
        "apt-cache          85kB   DL3009     apt's downloads and indexes stored by layer 1 (RUN apt-get update " +
          '&& apt-get install -y curl) are removed only by layer 2 (RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin)',
        '                                     fix: in the same RUN: apt-get update && apt-get install -y ' +
          '--no-install-recommends … && rm -rf /var/lib/apt/lists/* (or RUN --mount=type=cache,target=/var/cache/apt)',
        '                                     /var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages, ' +
          '/var/cache/apt/pkgcache.bin',
        "apt-cache-kept     38kB   DL3009     apt's downloads and indexes in the final image",
        '                                     fix: in the same RUN: apt-get update && apt-get install -y ' +
          '--no-install-recommends … && rm -rf /var/lib/apt/lists/* (or RUN --mount=type=cache,target=/var/cache/apt)',
        '                                     /var/cache/apt/archives/curl_7.88.1-10_amd64.deb',
        'chmod-copy         30kB   -          layer 5 (RUN chown -R app:app /app) copied unchanged files of ' +
          'layer 3 (COPY . /app # with the deploy key) to change their owner or mode',
        '                                     fix: set owner and mode where the files are written: COPY --chown=… ' +
          '--chmod=…, or in the RUN that makes them',
        '                                     /app/server, /app/config.yml',
        '',
      ].join('\n'),
    )
    // the waste list comes just before it
    assert.match(table.stdout, /\/app\/config\.yml +3 +5 {3}metadata-only\n\nADVICE /)
  })

  it('analyze --format markdown: the figures, the layers, the largest waste and the advice', async () => {
    const markdown = await runCli(['analyze', 'sample/sample-image.tar', '--format', 'markdown'], {
      cwd: dirname(dirname(SAMPLE_PATH)),
    })
    assert.equal(
      markdown.stdout,
      [
        '### docker-layers analyze: d74557a865eb docker-layers/sample:1.0 (linux/amd64) from docker-archive sample/sample-image.tar',
        '',
        '- **Total**: 324kB in 6 layers',
        '- **Final**: 206kB in 7 files',
        '- **Wasted**: 117kB (36.31%)',
        '- **dive**: efficiency 82.5420%, inefficient 86.5kB, user wasted 38.03%',
        '',
        '| layer | created by | size | added | modified | removed | wasted |',
        '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
        '| 0 | `ADD rootfs.tar.gz / # busybox` | 96.1kB | 8 | 0 | 0 | 0B |',
        '| 1 | `RUN apt-get update && apt-get install -y curl` | 165kB | 4 | 0 | 0 | 85kB |',
        '| 2 | `RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin` | 0B | 0 | 3 | 2 | 0B |',
        '| 3 | `COPY . /app # with the deploy key` | 32.5kB | 5 | 0 | 0 | 32.5kB |',
        '| 4 | `RUN rm /root/.ssh/id_rsa` | 0B | 0 | 1 | 1 | 0B |',
        '| 5 | `RUN chown -R app:app /app` | 30kB | 0 | 3 | 0 | 0B |',
        '',
        '#### Largest waste',
        '',
        '| wasted | path | layer | hidden by | how |',
        '| ---: | --- | ---: | ---: | --- |',
        '| 61kB | `/var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages` | 1 | 2 | opaque |',
        '| 30kB | `/app/server` | 3 | 5 | metadata-only |',
        '| 24kB | `/var/cache/apt/pkgcache.bin` | 1 | 2 | deleted |',
        '| 2.47kB | `/root/.ssh/id_rsa` | 3 | 4 | deleted |',
        '| 23B | `/app/config.yml` | 3 | 5 | metadata-only |',
        '',
        '#### Advice',
        '',
        '| saves | advice | fix | hadolint |',
        '| ---: | --- | --- | --- |',
        '| 2.47kB | **secret**: a secret stored by layer 3 (COPY . /app # with the deploy key) and hidden by ' +
          'layer 4 (RUN rm /root/.ssh/id\\_rsa) is still in the image (`/root/.ssh/id_rsa`) | anyone with the image can ' +
          'read it: pass it with RUN --mount=type=secret (or use it in a build stage only), and rotate it |  |',
        "| 85kB | **apt-cache**: apt's downloads and indexes stored by layer 1 (RUN apt-get update && apt-get " +
          'install -y curl) are removed only by layer 2 (RUN rm -rf /var/lib/apt/lists/\\* /var/cache/apt/\\*.bin) ' +
          '(`/var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages`, `/var/cache/apt/pkgcache.bin`) ' +
          '| in the same RUN: apt-get update && apt-get install -y --no-install-recommends \u2026 && rm -rf /var/lib/apt/lists/\\* ' +
          '(or RUN --mount=type=cache,target=/var/cache/apt) | DL3009 |',
        "| 38kB | **apt-cache-kept**: apt's downloads and indexes in the final image " +
          '(`/var/cache/apt/archives/curl_7.88.1-10_amd64.deb`) | in the same RUN: apt-get update && apt-get install -y ' +
          '--no-install-recommends \u2026 && rm -rf /var/lib/apt/lists/\\* (or RUN --mount=type=cache,target=/var/cache/apt) | DL3009 |',
        '| 30kB | **chmod-copy**: layer 5 (RUN chown -R app:app /app) copied unchanged files of layer 3 (COPY ' +
          '. /app # with the deploy key) to change their owner or mode (`/app/server`, `/app/config.yml`) | set owner ' +
          'and mode where the files are written: COPY --chown=… --chmod=…, or in the RUN that makes them |  |',
        '',
      ].join('\n'),
    )
  })

  it('analyze --duplicates: the duplicate groups in JSON, and their advice', async () => {
    const report = await analyzeJson([SAMPLE_PATH, '--duplicates'])
    assert.deepEqual(
      report.duplicates.map((g: any) => [g.bytes, g.costBytes, g.copies]),
      [
        [
          30_000,
          30_000,
          [
            {path: '/app/server', layer: 3, visible: false},
            {path: '/app/server', layer: 5, visible: true},
          ],
        ],
        [
          23,
          23,
          [
            {path: '/app/config.yml', layer: 3, visible: false},
            {path: '/app/config.yml', layer: 5, visible: true},
          ],
        ],
      ],
    )
    // the copies are one visible, one hidden (the chmod copy): no duplicate-content advice, the same four items
    assert.deepEqual(
      report.advice.map((a: any) => a.id),
      ['secret', 'apt-cache', 'apt-cache-kept', 'chmod-copy'],
    )
    assertSchema('analyze', report)
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
    assert.equal(plain.stdout.split('\n')[2], '/root/.ssh/id_rsa "deleted"')
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
