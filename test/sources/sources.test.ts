import assert from 'node:assert/strict'
import {symlinkSync} from 'node:fs'

import {analyzeJson, runCli} from '../helpers/cli.js'
import {buildImage, type ImageSpec, legacySave, ociArchive, scratch, writeOciLayout} from '../helpers/images.js'
import {type Member, tarOf} from '../helpers/tar.js'

/** One image with real waste, written by every source kind; each must report the same figures. */
const APP: ImageSpec = {
  tag: 'app:1.0',
  layers: [
    {
      createdBy: 'ADD rootfs.tar /',
      members: [
        {path: 'bin/', type: 'dir'},
        {path: 'bin/sh', size: 1000},
        {path: 'etc/passwd', content: 'root:x:0:0\n'},
      ],
    },
    {
      createdBy: 'RUN apt-get install',
      members: [
        {path: 'var/cache/apt/pkg.deb', size: 5000},
        {path: 'usr/bin/tool', size: 300},
      ],
    },
    {createdBy: 'RUN rm -rf /var/cache/apt', members: [{path: 'var/cache/.wh.apt'}]},
    {createdBy: 'RUN chmod 755 /usr/bin/tool', members: [{path: 'usr/bin/tool', size: 300, mode: 0o755}]},
  ],
  emptyAfter: {0: ['ENV A=1'], 3: ['CMD ["tool"]']},
}

const EXPECTED = {layers: 4, totalBytes: 6611, finalBytes: 1311, finalFiles: 3, wastedBytes: 5300}

function summaryOf(report: any) {
  const {layers, totalBytes, finalBytes, finalFiles, wastedBytes} = report.summary
  return {layers, totalBytes, finalBytes, finalFiles, wastedBytes}
}

describe('sources', () => {
  const tmp = scratch()
  after(() => tmp.remove())

  it('legacy docker save: figures, createdBy mapped past empty_layer history', async () => {
    const report = await analyzeJson([tmp.file('legacy.tar', legacySave([APP]))])
    assert.deepEqual(summaryOf(report), EXPECTED)
    assert.deepEqual(report.source, {kind: 'docker-archive', name: tmp.file('legacy.tar'), format: 'docker-legacy'})
    assert.deepEqual(report.image.repoTags, ['app:1.0'])
    assert.deepEqual(
      report.layers.map((l: any) => [
        l.createdBy,
        l.bytes,
        l.added,
        l.modified,
        l.removed,
        l.removedBytes,
        l.wastedBytes,
      ]),
      [
        ['ADD rootfs.tar /', 1011, 3, 0, 0, 0, 0],
        ['RUN apt-get install', 5300, 2, 0, 0, 0, 5300],
        ['RUN rm -rf /var/cache/apt', 0, 0, 0, 2, 5000, 0],
        ['RUN chmod 755 /usr/bin/tool', 300, 0, 1, 0, 0, 0],
      ],
    )
    assert.deepEqual(
      report.topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how]),
      [
        ['/var/cache/apt/pkg.deb', 5000, 1, 2, 'deleted'],
        ['/usr/bin/tool', 300, 1, 3, 'metadata-only'],
      ],
    )
  })

  it('gzip layers named .tar.gz and a config named sha256:…', async () => {
    const report = await analyzeJson([
      tmp.file('kaniko.tar', legacySave([APP], {compression: 'gzip', configName: 'sha256'})),
    ])
    assert.deepEqual(summaryOf(report), EXPECTED)
    assert.match(report.image.id, /^sha256:[0-9a-f]{64}$/)
  })

  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    it(`Docker 25+ save (OCI blobs + manifest.json), ${compression} layers`, async () => {
      const report = await analyzeJson([
        tmp.file(`d25-${compression}.tar`, ociArchive([APP], {compression, dockerManifest: true})),
      ])
      assert.deepEqual(summaryOf(report), EXPECTED)
      assert.equal(report.source.format, 'docker-oci')
    })
  }

  it('containerd-store save: nested index, zstd blobs, no manifest.json', async () => {
    const report = await analyzeJson([
      tmp.file('containerd.tar', ociArchive([APP], {compression: 'zstd', nestedIndex: true})),
    ])
    assert.deepEqual(summaryOf(report), EXPECTED)
    assert.deepEqual([report.source.kind, report.source.format], ['oci-archive', 'oci'])
  })

  it('OCI layout directory, also through the oci: transport', async () => {
    const dir = `${tmp.dir}/layout`
    writeOciLayout(dir, [APP], {compression: 'gzip'})
    assert.deepEqual(summaryOf(await analyzeJson([dir])), EXPECTED)
    assert.deepEqual(summaryOf(await analyzeJson([`oci:${dir}:1.0`])), EXPECTED)
    const report = await runCli(['analyze', `oci:${dir}:nope`])
    assert.equal(report.code, 2)
    assert.match(report.stderr, /no image nope in the layout/)
  })

  it('stdin: legacy with manifest.json last, and OCI archives', async () => {
    assert.deepEqual(summaryOf(await analyzeJson(['-'], {stdin: legacySave([APP], {compression: 'gzip'})})), EXPECTED)
    const oci = await analyzeJson(['-'], {stdin: ociArchive([APP], {compression: 'zstd', nestedIndex: true})})
    assert.deepEqual(summaryOf(oci), EXPECTED)
    assert.equal(oci.source.name, '-')
  })

  it('archives holding several images: the first by default with a note, --image to choose', async () => {
    const other: ImageSpec = {tag: 'other:2', layers: [{members: [{path: 'only', size: 7}]}]}
    const path = tmp.file('bundle.tar', legacySave([APP, other]))
    const first = await runCli(['analyze', path, '--format', 'json'])
    assert.equal(first.code, 0)
    assert.match(first.stderr, /holds 2 images; reading app:1\.0, pick another with --image \(other:2\)/)
    assert.deepEqual(summaryOf(JSON.parse(first.stdout)), EXPECTED)
    const second = await analyzeJson([path, '--image', 'other:2'])
    assert.deepEqual(summaryOf(second), {layers: 1, totalBytes: 7, finalBytes: 7, finalFiles: 1, wastedBytes: 0})
    assert.deepEqual(summaryOf(await analyzeJson([`docker-archive:${path}:other:2`])), summaryOf(second))
  })

  it('multi-platform index: this host by default, --platform to choose, ambiguity is an error', async () => {
    // this host as Go and the OCI spec name it (x64 is amd64; arm64's default variant is v8), whatever it is
    const host = ({x64: 'amd64', ia32: '386', ppc64: 'ppc64le'} as Record<string, string>)[process.arch] ?? process.arch
    const hostText = `linux/${host}${host === 'arm64' ? '/v8' : ''}`
    const [first, second] = [
      {architecture: 'arm64', variant: 'v8', text: 'linux/arm64/v8'},
      {architecture: 'riscv64', text: 'linux/riscv64'},
      {architecture: 's390x', text: 'linux/s390x'},
    ].filter((p) => p.architecture !== host)
    const native: ImageSpec = {...APP, architecture: host, variant: host === 'arm64' ? 'v8' : undefined}
    const foreign: ImageSpec = {...APP, ...first, layers: [{members: [{path: 'foreign', size: 9}]}]}
    const dir = `${tmp.dir}/multi`
    writeOciLayout(dir, [foreign, native])
    assert.deepEqual(summaryOf(await analyzeJson([dir])), EXPECTED)
    // no variant asked: any variant of the architecture matches
    const chosen = await analyzeJson([dir, '--platform', `linux/${first.architecture}`])
    assert.deepEqual([chosen.image.architecture, chosen.summary.totalBytes], [first.architecture, 9])
    const ambiguous = `${tmp.dir}/ambiguous`
    writeOciLayout(ambiguous, [foreign, {...foreign, architecture: second.architecture, variant: undefined}])
    const result = await runCli(['analyze', ambiguous])
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [
        2,
        '',
        `docker-layers: ${ambiguous}: several platforms and none is this host's (${hostText}); choose one with ` +
          `--platform: ${first.text}, ${second.text}\n`,
      ],
    )
  })

  it('a layer.tar that is a symlink to another layer', async () => {
    const layer = tarOf([{path: 'x', size: 4}])
    const config = JSON.stringify({
      rootfs: {diff_ids: ['sha256:a', 'sha256:b']},
      history: [{created_by: 'one'}, {created_by: 'two'}],
    })
    const members: Member[] = [
      {path: 'one/layer.tar', content: layer},
      {path: 'two/layer.tar', type: 'symlink', linkpath: '../one/layer.tar'},
      {path: 'c.json', content: config},
      {
        path: 'manifest.json',
        content: JSON.stringify([{Config: 'c.json', RepoTags: ['l:1'], Layers: ['one/layer.tar', 'two/layer.tar']}]),
      },
    ]
    const report = await analyzeJson([tmp.file('link.tar', tarOf(members))])
    assert.deepEqual(
      report.layers.map((l: any) => [l.bytes, l.added, l.modified, l.wastedBytes]),
      [
        [4, 1, 0, 4],
        [4, 0, 1, 0],
      ],
    )
  })

  it('a docker export tarball is one flat layer', async () => {
    const exported = tarOf([
      {path: '.dockerenv', size: 0},
      {path: 'bin/', type: 'dir'},
      {path: 'bin/sh', size: 1000},
      {path: 'etc/hostname', size: 13},
    ])
    const report = await analyzeJson([tmp.file('export.tar', exported)])
    assert.deepEqual(report.source, {kind: 'docker-export', name: tmp.file('export.tar'), format: 'export'})
    assert.deepEqual(summaryOf(report), {layers: 1, totalBytes: 1013, finalBytes: 1013, finalFiles: 3, wastedBytes: 0})
    assert.deepEqual(summaryOf(await analyzeJson(['-'], {stdin: exported})), summaryOf(report))
  })

  it('table and CSV read the same result as JSON', async () => {
    const path = tmp.file('table-csv.tar', legacySave([APP]))
    // the layer digests and the image id are sha256 of the tars and config the test helper built
    const {diffIds, configDigest} = buildImage(APP)
    const table = await runCli(['analyze', path])
    // by hand: final 1000 + 11 + 300 = 1311 of 6611; wasted 5300 = 80.17 %. dive: usr/bin/tool is the one
    // path in two layers (300 + 300 = 600 inefficient); the whiteout of var/cache/apt weighs the 5000 it
    // hid; efficiency = Σ min / Σ cumulative = 11311 / 11611; user wasted = 600 / (5300 + 0 + 300)
    assert.deepEqual(
      [table.code, table.stderr, table.stdout],
      [
        0,
        '',
        `Image: ${configDigest.slice(7, 19)} app:1.0 (linux/amd64) from docker-archive ${path}

LAYER   CREATED BY                      SIZE   ADDED   MODIFIED   REMOVED   WASTED
    0   ADD rootfs.tar /              1.01kB       3          0         0       0B
    1   RUN apt-get install            5.3kB       2          0         0    5.3kB
    2   RUN rm -rf /var/cache/apt         0B       0          0         2       0B
    3   RUN chmod 755 /usr/bin/tool     300B       0          1         0       0B

Total:  6.61kB in 4 layers
Final:  1.31kB in 3 files
Wasted: 5.3kB (80.17%)
dive:   efficiency 97.4162%, inefficient 600B, user wasted 10.71%

WASTED   PATH                     LAYER   HIDDEN BY   HOW
   5kB   /var/cache/apt/pkg.deb       1           2   deleted
  300B   /usr/bin/tool                1           3   metadata-only

ADVICE       SAVES   HADOLINT   WHAT AND HOW
apt-cache      5kB   DL3009     apt's downloads and indexes stored by layer 1 (RUN apt-get install) are removed ` +
          `only by layer 2 (RUN rm -rf /var/cache/apt)
                                fix: in the same RUN: apt-get update && apt-get install -y --no-install-recommends ` +
          `… && rm -rf /var/lib/apt/lists/* (or RUN --mount=type=cache,target=/var/cache/apt)
                                /var/cache/apt/pkg.deb
chmod-copy    300B   -          layer 3 (RUN chmod 755 /usr/bin/tool) copied unchanged files of layer 1 (RUN ` +
          `apt-get install) to change their owner or mode
                                fix: set owner and mode where the files are written: COPY --chown=… --chmod=…, ` +
          `or in the RUN that makes them
                                /usr/bin/tool
`,
      ],
    )
    const csv = await runCli(['analyze', path, '--format', 'csv'])
    assert.deepEqual(
      [csv.code, csv.stderr, csv.stdout.split('\n')],
      [
        0,
        '',
        [
          '"index","digest","createdBy","created","bytes","entries","added","modified","removed","removedBytes","wastedBytes"',
          `0,"${diffIds[0]}","ADD rootfs.tar /","2024-01-01T00:00:00Z",1011,3,3,0,0,0,0`,
          `1,"${diffIds[1]}","RUN apt-get install","2024-01-01T00:00:00Z",5300,2,2,0,0,0,5300`,
          `2,"${diffIds[2]}","RUN rm -rf /var/cache/apt","2024-01-01T00:00:00Z",0,1,0,0,2,5000,0`,
          `3,"${diffIds[3]}","RUN chmod 755 /usr/bin/tool","2024-01-01T00:00:00Z",300,1,0,1,0,0,0`,
          '',
        ],
      ],
    )
  })

  it('symlinked blobs may not leave an OCI layout', async () => {
    const dir = `${tmp.dir}/escape`
    writeOciLayout(dir, [APP])
    const outside = tmp.file('outside.tar', tarOf([{path: 'x', size: 1}]))
    const {readdirSync, rmSync} = await import('node:fs')
    const layer = readdirSync(`${dir}/blobs/sha256`).find((name) => name !== undefined) as string
    rmSync(`${dir}/blobs/sha256/${layer}`)
    symlinkSync(outside, `${dir}/blobs/sha256/${layer}`)
    const result = await runCli(['analyze', dir])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /links outside the layout\n$/)
  })
})
