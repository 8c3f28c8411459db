import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync} from 'node:fs'

import {analyzeJson, type CliResult, runCli} from '../helpers/cli.js'
import {buildImage, type ImageSpec, legacySave, ociArchive, scratch} from '../helpers/images.js'
import {archiveFilesystem, compareFilesystems} from '../helpers/independent-reader.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {StreamReader} from '../../src/tar/byte-reader.js'
import {decompressing} from '../../src/tar/compression.js'
import {tarMembers} from '../../src/tar/walk.js'

const T = 1_700_000_000
const LONG = `deep/${'d'.repeat(120)}/${'f'.repeat(110)}.txt`

/** Every kind of entry flatten must keep, and the changes it must apply. */
const SOURCE: ImageSpec = {
  tag: 'src:1',
  config: {
    Env: ['A=1'],
    Cmd: ['/bin/app'],
    Entrypoint: ['/init'],
    WorkingDir: '/srv',
    User: '1000:1000',
    ExposedPorts: {'80/tcp': {}},
    Volumes: {'/data': {}},
    Labels: {l: 'v'},
    StopSignal: 'SIGINT',
    Healthcheck: {Test: ['CMD', 'true']},
    Shell: ['/bin/sh', '-c'],
    OnBuild: ['RUN x'],
  },
  layers: [
    {
      createdBy: 'base',
      members: [
        {path: 'bin/', type: 'dir', mtime: T},
        {
          path: 'bin/app',
          content: 'APP!'.repeat(100),
          mode: 0o4755,
          uid: 0,
          gid: 0,
          mtime: T,
          xattrs: {'security.capability': 'cap', 'user.note': 'kept'},
          uname: 'root',
          gname: 'wheel',
        },
        {path: 'empty/', type: 'dir', mode: 0o700, uid: 5, gid: 6, mtime: T},
        {path: 'tmp/', type: 'dir', mode: 0o1777, mtime: T},
        {path: 'srv/', type: 'dir', mode: 0o2775, uid: 1000, gid: 1000, mtime: T},
        {path: 'srv/data.bin', content: 'x'.repeat(3000), uid: 1000, gid: 1000, mtime: T + 5},
        {path: 'srv/keep-link', type: 'hardlink', linkpath: 'srv/data.bin', uid: 1000, gid: 1000},
        {path: 'lib/real.so', content: 'R'.repeat(64), mtime: T},
        {path: 'lib/alias.so', type: 'hardlink', linkpath: 'lib/real.so'},
        {path: 'dangling', type: 'symlink', linkpath: '/nowhere/at/all'},
        {path: 'abs', type: 'symlink', linkpath: '/bin/app'},
        {path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3},
        {path: 'run/fifo', type: 'fifo', mode: 0o600},
        {path: LONG, content: 'long name', mtime: T},
        {path: 'ünïcödé/名前.txt', content: 'utf-8 name', mtime: T},
        {path: 'gone/sub/file', content: 'will be deleted', mtime: T},
      ],
    },
    {
      createdBy: 'changes',
      members: [
        {path: 'lib/.wh.real.so'},
        {path: '.wh.gone'},
        {path: 'srv/data.bin', content: 'y'.repeat(10), uid: 1000, gid: 1000, mtime: T + 9},
        {path: 'cache/big', content: 'c'.repeat(5000), mtime: T},
      ],
    },
    {createdBy: 'cleanup', members: [{path: '.wh.cache'}]},
  ],
}

async function layerEntries(archive: string): Promise<Array<[string, string, number, string, string, string]>> {
  const out: Array<[string, string, number, string, string, string]> = []
  const outer = readFileSync(archive)
  for await (const {header, body} of tarMembers(new StreamReader([outer]), archive)) {
    if (!(header.path === 'layer.tar' || header.path.startsWith('blobs/')) || header.size < 1024) continue
    const data = await body.read(header.size)
    if (data[0] === 0x7b) continue
    const {reader} = await decompressing(new StreamReader([data]), 'layer')
    for await (const entry of tarMembers(reader, 'layer')) {
      const h = entry.header
      out.push([h.path, h.type, h.size, (h.mode & 0o7777).toString(8), `${h.uid}:${h.gid}`, h.linkpath])
    }
  }
  return out
}

/** The written image's id: the sha256 of its config, found and hashed through GNU tar (not our reader). */
function configDigest(archive: string): string {
  const read = (member: string) => execFileSync('tar', ['-xOf', archive, member], {maxBuffer: 1 << 26})
  const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
  const members = execFileSync('tar', ['-tf', archive]).toString().split('\n')
  if (members.includes('manifest.json')) return sha(read(JSON.parse(read('manifest.json').toString())[0].Config))
  const manifest = JSON.parse(
    read(`blobs/sha256/${JSON.parse(read('index.json').toString()).manifests[0].digest.slice(7)}`).toString(),
  )
  return sha(read(`blobs/sha256/${manifest.config.digest.slice(7)}`))
}

/** flatten's text report for SOURCE (3 layers, 8,508 bytes, squashed to 3,493 in one layer), its 20 paths verified. */
function sourceReport(name: string, out: string, format: string, compression: string): string {
  return (
    `Flattened ${name}: 3 layers, 8.51kB -> 1 layer, 3.49kB (saved 5.01kB)\n` +
    `Wrote ${out} (${format}, ${compression}): ${configDigest(out)}\n` +
    "Verified: 20 paths equal the source's final filesystem\n"
  )
}

/**
 * The judge beside --verify and diff --content (which compare production's model with itself): both archives
 * read by node-tar, their layers applied by the reference model, every path, type, mode, owner, link target,
 * size, device, content digest and hardlink compared.
 */
async function assertSameFilesystem(source: string, flattened: string, sourceTag?: string): Promise<void> {
  assert.deepEqual(
    compareFilesystems(await archiveFilesystem(source, sourceTag), await archiveFilesystem(flattened)),
    [],
  )
}

describe('flatten to archives', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const source = tmp.file('source.tar', legacySave([SOURCE]))
  /** SOURCE flattened with --verify to flat.tar, once, by whichever test needs it first. */
  let flattened: Promise<{out: string; result: CliResult}> | undefined
  const flat = () =>
    (flattened ??= (async () => {
      const out = `${tmp.dir}/flat.tar`
      return {out, result: await runCli(['flatten', source, '-o', out, '--verify', '--format', 'json'])}
    })())

  it('writes exactly the final filesystem: files, empty dirs, links, devices, modes, owners, long and non-ASCII names', async () => {
    const {out, result} = await flat()
    assert.deepEqual([result.code, result.stderr], [0, ''])
    const report = JSON.parse(result.stdout)
    assert.deepEqual(
      [report.before, report.after, report.savedBytes, report.verified],
      [{layers: 3, bytes: 8508}, {layers: 1, bytes: 3493}, 5015, 20],
    )
    const entries = await layerEntries(out)
    // directories no layer wrote (lib/, dev/, run/, deep/…, ünïcödé/) stay implied by the paths below them
    assert.deepEqual(entries, [
      ['bin/', 'dir', 0, '755', '0:0', ''],
      ['empty/', 'dir', 0, '700', '5:6', ''],
      ['tmp/', 'dir', 0, '1777', '0:0', ''],
      ['srv/', 'dir', 0, '2775', '1000:1000', ''],
      ['dangling', 'symlink', 0, '644', '0:0', '/nowhere/at/all'],
      ['abs', 'symlink', 0, '644', '0:0', '/bin/app'],
      ['dev/null', 'char', 0, '666', '0:0', ''],
      ['run/fifo', 'fifo', 0, '600', '0:0', ''],
      ['bin/app', 'file', 400, '4755', '0:0', ''],
      ['srv/keep-link', 'file', 3000, '644', '1000:1000', ''],
      ['lib/alias.so', 'file', 64, '644', '0:0', ''],
      [LONG, 'file', 9, '644', '0:0', ''],
      ['ünïcödé/名前.txt', 'file', 10, '644', '0:0', ''],
      ['srv/data.bin', 'file', 10, '644', '1000:1000', ''],
    ])
    // the old data.bin content survives through its hardlink as a regular file; the deleted target's link too
    const figures = await analyzeJson([out])
    assert.deepEqual(
      [figures.summary.layers, figures.summary.finalBytes, figures.summary.wastedBytes, figures.summary.finalFiles],
      [1, 3493, 0, 6],
    )
    const diff = JSON.parse((await runCli(['diff', source, out, '--content', '--format', 'json'])).stdout)
    assert.deepEqual([diff.files, diff.config], [[], []])
    await assertSameFilesystem(source, out)
  })

  it('keeps xattrs, user and group names and mtimes', async () => {
    const {out, result} = await flat()
    assert.equal(result.code, 0, result.stderr)
    const outer = readFileSync(out)
    for await (const {header, body} of tarMembers(new StreamReader([outer]), out)) {
      if (header.path !== 'layer.tar') continue
      const layer = await body.read(header.size)
      for await (const {header: h} of tarMembers(new StreamReader([layer]), 'layer')) {
        if (h.path !== 'bin/app') continue
        assert.deepEqual(
          [h.xattrs, h.uname, h.gname, h.mtime],
          [{'security.capability': 'cap', 'user.note': 'kept'}, 'root', 'wheel', T],
        )
        return
      }
    }
    assert.fail('bin/app not found in the flattened layer')
  })

  it('keeps / as the top-most layer that has an entry for it writes it; --verify compares it', async () => {
    const spec: ImageSpec = {
      tag: 'root:1',
      layers: [
        {
          members: [
            {path: './', type: 'dir', mode: 0o755, mtime: T},
            {path: 'a', content: 'a'},
          ],
        },
        {
          members: [
            {path: './', type: 'dir', mode: 0o750, uid: 5, gid: 6, mtime: T + 60},
            {path: 'b', content: 'b'},
          ],
        },
        {members: [{path: 'c', content: 'c'}]},
      ],
    }
    const out = tmp.file('root-flat.tar')
    const result = await runCli(['flatten', tmp.file('root.tar', legacySave([spec])), '-o', out, '--verify'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Verified: 4 paths equal the source's final filesystem$/m) // /, a, b, c
    // GNU tar reads the layer back: `./` first, with layer 1's mode, owner and mtime
    const layer = spawnSync('tar', ['-xOf', out, 'layer.tar'], {maxBuffer: 1 << 24}).stdout
    const listing = spawnSync('tar', ['--numeric-owner', '--utc', '-tvf', '-'], {input: layer}).stdout.toString()
    assert.equal(listing.split('\n')[0], 'drwxr-x--- 5/6               0 2023-11-14 22:14 ./')
    // with --from 1 the squashed layers 1 and 2 carry the root entry of layer 1
    const from = tmp.file('root-from.tar')
    const fromResult = await runCli(['flatten', tmp.file('root.tar'), '-o', from, '--from', '1'])
    // 3 layers of 1 byte each; layers 1 and 2 squashed into one
    assert.deepEqual(
      [fromResult.code, fromResult.stderr, fromResult.stdout],
      [
        0,
        '',
        `Flattened ${tmp.file('root.tar')}: 3 layers, 3B -> 2 layers, 3B (saved 0B)\nWrote ${from} (docker-archive, ` +
          `uncompressed): ${configDigest(from)}\n`,
      ],
    )
    const top = spawnSync('tar', ['-xOf', from, 'layer.tar'], {maxBuffer: 1 << 24}).stdout
    const topListing = spawnSync('tar', ['--numeric-owner', '--utc', '-tvf', '-'], {input: top}).stdout.toString()
    assert.equal(topListing.split('\n')[0], 'drwxr-x--- 5/6               0 2023-11-14 22:14 ./')
  })

  it('keeps the whole config and one readable history entry', async () => {
    const {out, result} = await flat()
    assert.equal(result.code, 0, result.stderr)
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', out, 'manifest.json']).toString())
    const config = JSON.parse(execFileSync('tar', ['-xOf', out, manifest[0].Config]).toString())
    assert.deepEqual(config.config, SOURCE.config)
    assert.deepEqual([config.os, config.architecture], ['linux', 'amd64'])
    assert.equal(config.history.length, 1)
    // the source by its image ID, not the path it was read from: the same image flattens to the same ID anywhere
    const sourceId = (await analyzeJson([source])).image.id
    assert.match(sourceId, /^sha256:[0-9a-f]{64}$/)
    assert.equal(config.history[0].created_by, `docker-layers flatten ${sourceId}`)
    assert.equal(config.history[0].comment, 'flattened 3 layers:\n  base\n  changes\n  cleanup')
    assert.equal(config.rootfs.diff_ids.length, 1)
    // the source's created time, not the time of the run
    assert.deepEqual([config.created, config.history[0].created], ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'])
  })

  it('is reproducible: two runs give byte-identical archives in every format and compression, one image ID', async () => {
    const ids = new Set<string>()
    for (const [format, compression] of [
      ['docker-archive', 'uncompressed'],
      ['docker-archive', 'gzip'],
      ['oci-archive', 'zstd'],
      ['oci-archive', 'gzip'],
    ]) {
      const runs = []
      for (const run of [1, 2]) {
        const out = `${tmp.dir}/again-${format}-${compression}-${run}.tar`
        const args = ['flatten', source, '-o', out, '--output-format', format, '--compress', compression]
        const result = await runCli([...args, '--format', 'json'], {env: {SOURCE_DATE_EPOCH: ''}})
        assert.equal(result.code, 0, result.stderr)
        ids.add(JSON.parse(result.stdout).id)
        runs.push(readFileSync(out))
      }
      assert.ok(runs[0].equals(runs[1]), `${format} ${compression}: the two archives differ`)
    }
    // the config names the layer by its uncompressed digest: the compression does not change the image ID
    assert.equal(ids.size, 1)
    // gzip: no name, mtime 0, and the OS byte "unknown" on every platform (zlib writes the build's own)
    const layer = spawnSync('tar', ['-xOf', `${tmp.dir}/again-docker-archive-gzip-1.tar`, 'layer.tar']).stdout
    assert.equal(layer.subarray(0, 10).toString('hex'), '1f8b08000000000000ff')
  })

  it('SOURCE_DATE_EPOCH sets created, as reproducible-builds.org defines it; a malformed one is refused', async () => {
    const out = `${tmp.dir}/epoch.tar`
    const result = await runCli(['flatten', source, '-o', out, '--format', 'json'], {
      env: {SOURCE_DATE_EPOCH: '1700000000'},
    })
    assert.equal(result.code, 0, result.stderr)
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', out, 'manifest.json']).stdout.toString())
    const config = JSON.parse(spawnSync('tar', ['-xOf', out, manifest[0].Config]).stdout.toString())
    assert.deepEqual([config.created, config.history[0].created], ['2023-11-14T22:13:20Z', '2023-11-14T22:13:20Z'])
    assert.equal(`sha256:${manifest[0].Config.replace('.json', '')}`, JSON.parse(result.stdout).id)
    const again = await runCli(['flatten', source, '-o', `${tmp.dir}/epoch-again.tar`], {
      env: {SOURCE_DATE_EPOCH: '1700000000'},
    })
    assert.equal(again.code, 0, again.stderr)
    assert.ok(readFileSync(out).equals(readFileSync(`${tmp.dir}/epoch-again.tar`)))
    for (const bad of ['1.5', '-1', 'now', '1e9']) {
      const refused = await runCli(['flatten', source, '-o', `${tmp.dir}/never-${bad}.tar`], {
        env: {SOURCE_DATE_EPOCH: bad},
      })
      assert.deepEqual(
        [refused.code, refused.stderr],
        [2, `docker-layers: SOURCE_DATE_EPOCH="${bad}": not whole seconds since 1970-01-01 UTC (as date +%s prints)\n`],
      )
      assert.equal(existsSync(`${tmp.dir}/never-${bad}.tar`), false)
    }
  })

  it("-t with -o names the archive's tag: RepoTags, or the OCI index annotations", async () => {
    const out = `${tmp.dir}/tagged.tar`
    const result = await runCli(['flatten', source, '-o', out, '-t', 'registry.local:5000/team/app:flat'])
    assert.equal(result.code, 0, result.stderr)
    const id = /: (sha256:[0-9a-f]{64})\n/.exec(result.stdout)![1]
    assert.equal(
      result.stdout.split('\n')[1],
      `Wrote ${out} (docker-archive, uncompressed, tagged registry.local:5000/team/app:flat): ${id}`,
    )
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', out, 'manifest.json']).stdout.toString())
    assert.deepEqual(manifest[0].RepoTags, ['registry.local:5000/team/app:flat'])
    // docker's short forms, as docker save writes them: no tag is latest, docker.io/library/ is dropped
    const short = await runCli(['flatten', source, '-o', `${tmp.dir}/short.tar`, '-t', 'docker.io/library/app'])
    assert.equal(short.code, 0, short.stderr)
    const shortManifest = JSON.parse(
      spawnSync('tar', ['-xOf', `${tmp.dir}/short.tar`, 'manifest.json'], {encoding: 'utf8'}).stdout,
    )
    assert.deepEqual(shortManifest[0].RepoTags, ['app:latest'])
    const oci = `${tmp.dir}/tagged-oci.tar`
    const json = await runCli([
      'flatten',
      source,
      '-o',
      oci,
      '-t',
      'app:flat',
      '--output-format',
      'oci-archive',
      '--format',
      'json',
    ])
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(JSON.parse(json.stdout).output, {
      file: oci,
      format: 'oci-archive',
      compression: 'uncompressed',
      tag: 'app:flat',
    })
    const index = JSON.parse(spawnSync('tar', ['-xOf', oci, 'index.json']).stdout.toString())
    assert.deepEqual(index.manifests[0].annotations, {
      'io.containerd.image.name': 'docker.io/library/app:flat',
      'org.opencontainers.image.ref.name': 'flat',
    })
    for (const [tag, message] of [
      ['App:1', 'invalid reference format: repository name must be lowercase'],
      [`app@sha256:${'0'.repeat(64)}`, 'a tag is REPO:TAG, not a digest'],
      ['app:-x', 'invalid reference format'],
    ]) {
      const refused = await runCli(['flatten', source, '-o', `${tmp.dir}/never.tar`, '-t', tag])
      assert.deepEqual([refused.code, refused.stderr], [2, `docker-layers: -t ${tag}: ${message}\n`])
    }
  })

  it('skopeo finds the oci-archive by the tag -t gave it', async function () {
    requirePrerequisites(this, 'skopeo')
    const oci = `${tmp.dir}/tagged-for-skopeo.tar`
    const result = await runCli(['flatten', source, '-o', oci, '-t', 'app:flat', '--output-format', 'oci-archive'])
    assert.equal(result.code, 0, result.stderr)
    const id = /: (sha256:[0-9a-f]{64})\n/.exec(result.stdout)![1]
    const inspect = spawnSync('skopeo', ['inspect', '--config', `oci-archive:${oci}:flat`], {encoding: 'utf8'})
    assert.equal(inspect.status, 0, inspect.stderr)
    assert.equal(JSON.parse(inspect.stdout).created, '2024-01-01T00:00:00Z')
    const missing = spawnSync('skopeo', ['inspect', '--config', `oci-archive:${oci}:other`], {encoding: 'utf8'})
    assert.notEqual(missing.status, 0)
    const digest = spawnSync('skopeo', ['inspect', '--format', '{{.Digest}}', `oci-archive:${oci}:flat`], {
      encoding: 'utf8',
    })
    const manifest = spawnSync('tar', ['-xOf', oci, `blobs/sha256/${digest.stdout.trim().slice(7)}`]).stdout
    assert.equal(JSON.parse(manifest.toString()).config.digest, id)
  })

  for (const [format, compression] of [
    ['docker-archive', 'gzip'],
    ['oci-archive', 'zstd'],
    ['oci-archive', 'uncompressed'],
  ] as const) {
    it(`--output-format ${format} --compress ${compression}: the same final filesystem`, async () => {
      const out = `${tmp.dir}/flat-${format}-${compression}.tar`
      const result = await runCli([
        'flatten',
        source,
        '-o',
        out,
        '--output-format',
        format,
        '--compress',
        compression,
        '--verify',
      ])
      assert.deepEqual(
        [result.code, result.stderr, result.stdout],
        [0, '', sourceReport(source, out, format, compression)],
      )
      assert.equal((await analyzeJson([out])).summary.finalBytes, 3493)
      await assertSameFilesystem(source, out)
    })
  }

  it('skopeo reads the oci-archive output, config included', async function () {
    requirePrerequisites(this, 'skopeo')
    const out = `${tmp.dir}/flat-for-skopeo.tar`
    const result = await runCli(['flatten', source, '-o', out, '--output-format', 'oci-archive'])
    assert.equal(result.code, 0, result.stderr)
    const inspect = spawnSync('skopeo', ['inspect', '--config', `oci-archive:${out}`], {encoding: 'utf8'})
    assert.equal(inspect.status, 0, inspect.stderr)
    const config = JSON.parse(inspect.stdout)
    // skopeo parses the config as the OCI image spec, which has no Healthcheck, OnBuild or Shell (Docker's own)
    const {Healthcheck, OnBuild, Shell, ...oci} = SOURCE.config!
    assert.deepEqual(config.config, oci)
    assert.equal(config.rootfs.diff_ids.length, 1)
  })

  it('--from keeps the base layers as they are and whites out what the squashed layers deleted', async () => {
    const base: ImageSpec = {tag: 'base:1', layers: [SOURCE.layers[0]]}
    const out = `${tmp.dir}/from.tar`
    const result = await runCli([
      'flatten',
      source,
      '-o',
      out,
      '--from',
      tmp.file('base.tar', legacySave([base])),
      '--verify',
      '--format',
      'json',
    ])
    assert.equal(result.code, 0, result.stderr)
    const flattened = await analyzeJson([out])
    const original = await analyzeJson([source])
    assert.equal(flattened.layers[0].digest, original.layers[0].digest)
    assert.equal(flattened.layers.length, 2)
    const entries = (await layerEntries(out)).map(([path, type]) => `${type} ${path}`)
    assert.ok(entries.includes('file .wh.gone'))
    assert.ok(entries.includes('file lib/.wh.real.so'))
    assert.equal(
      entries.some((e) => e.includes('cache')),
      false,
    )
    const diff = JSON.parse((await runCli(['diff', source, out, '--content', '--format', 'json'])).stdout)
    assert.deepEqual(diff.files, [])
    await assertSameFilesystem(source, out)
    const byIndex = await runCli(['flatten', source, '-o', `${tmp.dir}/from1.tar`, '--from', '1', '--format', 'json'])
    // the base keeps its 3498 bytes; the squashed layer adds the rewritten data.bin (10)
    assert.deepEqual(JSON.parse(byIndex.stdout).after, {layers: 2, bytes: 3508})
  })

  it('--from errors: an index past the top, a prefix two layers share, a base that is not below, a base not there', async () => {
    const out = `${tmp.dir}/from-error.tar`
    // layers 0 and 1 are the same empty tar, so one diff_id names both
    const twin = tmp.file(
      'twin.tar',
      legacySave([{tag: 't:1', layers: [{members: []}, {members: []}, SOURCE.layers[0]]}]),
    )
    const shared = buildImage({layers: [{members: []}]}).diffIds[0].slice(7, 19)
    const other = tmp.file(
      'other-base.tar',
      legacySave([{tag: 'o:1', layers: [{members: [{path: 'o', content: 'o'}]}]}]),
    )
    const cases: Array<[string, string, string]> = [
      [source, '3', '--from 3: the image has 3 layers; squash from 0 to 2'],
      [twin, shared, `--from ${shared}: several layers match`],
      [source, other, `--from ${other}: its layers are not a prefix of the image's`],
      [source, `${tmp.dir}/no-base.tar`, `cannot read ${tmp.dir}/no-base.tar: no such file or directory`],
    ]
    for (const [image, from, message] of cases) {
      const result = await runCli(['flatten', image, '-o', out, '--from', from])
      assert.deepEqual([result.code, result.stdout, result.stderr], [2, '', `docker-layers: ${message}\n`])
      assert.equal(existsSync(out), false)
    }
  })

  it('identical layers share one OCI blob (two empty layers, --from 1)', async () => {
    const empty = tmp.file('empty-layers.tar', ociArchive([{tag: 'e:1', layers: [{members: []}, {members: []}]}]))
    const out = `${tmp.dir}/empty-flat.tar`
    const result = await runCli([
      'flatten',
      empty,
      '-o',
      out,
      '--output-format',
      'oci-archive',
      '--from',
      '1',
      '--verify',
    ])
    assert.deepEqual(
      [result.code, result.stderr, result.stdout],
      [
        0,
        '',
        `Flattened ${empty}: 2 layers, 0B -> 2 layers, 0B (saved 0B)\nWrote ${out} (oci-archive, ` +
          `uncompressed): ${configDigest(out)}\nVerified: 0 paths equal the source's final filesystem\n`,
      ],
    )
    // GNU tar lists 2 layer blobs, the config, the manifest: one blob for the two identical layers
    assert.equal(
      execFileSync('tar', ['-tf', out])
        .toString()
        .split('\n')
        .filter((m) => m.startsWith('blobs/')).length,
      3,
    )
    assert.deepEqual(
      (await analyzeJson([out])).layers.map((l: any) => l.bytes),
      [0, 0],
    )
    await assertSameFilesystem(empty, out)
  })

  it('an existing output is kept unless --force; bad input leaves no file behind', async () => {
    const out = tmp.file('exists.tar', 'precious')
    const refused = await runCli(['flatten', source, '-o', out])
    assert.deepEqual([refused.code, refused.stderr], [2, `docker-layers: ${out} exists; use --force to overwrite it\n`])
    assert.equal(readFileSync(out, 'utf8'), 'precious')
    const forced = await runCli(['flatten', source, '-o', out, '--force'])
    assert.deepEqual(
      [forced.code, forced.stderr, forced.stdout],
      [
        0,
        '',
        `Flattened ${source}: 3 layers, 8.51kB -> 1 layer, 3.49kB (saved 5.01kB)\nWrote ${out} (docker-archive, ` +
          `uncompressed): ${configDigest(out)}\n`,
      ],
    )
    const broken = Buffer.from(readFileSync(source))
    broken.fill(0x41, 3000, 3600)
    const bad = await runCli(['flatten', tmp.file('broken.tar', broken), '-o', `${tmp.dir}/never.tar`])
    // bytes 3000-3599 of the archive: the layer starts at 2048 (after a directory, VERSION and the layer's header),
    // so inner offset 512 is bin/app's pax header
    assert.deepEqual(
      [bad.code, bad.stdout, bad.stderr],
      [
        2,
        '',
        `docker-layers: ${tmp.file('broken.tar')}: layer 0 (${buildImage(SOURCE).diffIds[0]}): corrupt tar ` +
          `header at offset 512 (bad checksum)\n`,
      ],
    )
    assert.equal(existsSync(`${tmp.dir}/never.tar`), false)
    assert.deepEqual(
      readdirSync(tmp.dir).filter((name) => name.includes('.tmp-')),
      [],
    )
    const neither = await runCli(['flatten', source])
    assert.deepEqual(
      [neither.code, neither.stdout, neither.stderr],
      [2, '', 'docker-layers: At least one of the following must be provided: --output, --tag\n'],
    )
  })

  it('reads OCI sources and stdin too', async () => {
    const oci = tmp.file('source-oci.tar', ociArchive([SOURCE], {compression: 'zstd', nestedIndex: true}))
    const fromOci = await runCli(['flatten', oci, '-o', `${tmp.dir}/from-oci.tar`, '--verify'])
    assert.deepEqual(
      [fromOci.code, fromOci.stderr, fromOci.stdout],
      [0, '', sourceReport(oci, `${tmp.dir}/from-oci.tar`, 'docker-archive', 'uncompressed')],
    )
    await assertSameFilesystem(oci, `${tmp.dir}/from-oci.tar`)
    const stdin = await runCli(['flatten', '-', '-o', `${tmp.dir}/from-stdin.tar`, '--verify'], {
      stdin: readFileSync(source),
    })
    assert.deepEqual(
      [stdin.code, stdin.stderr, stdin.stdout],
      [0, '', sourceReport('-', `${tmp.dir}/from-stdin.tar`, 'docker-archive', 'uncompressed')],
    )
    assert.equal((await analyzeJson([`${tmp.dir}/from-stdin.tar`])).summary.finalBytes, 3493)
    await assertSameFilesystem(source, `${tmp.dir}/from-stdin.tar`)
  })
})
