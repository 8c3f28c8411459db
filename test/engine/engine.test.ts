import assert from 'node:assert/strict'
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {analyzeJson, BIN, runCli} from '../helpers/cli.js'
import {INVALID_LINKS, VALID_LINKS} from '../helpers/hardlinks.js'
import {legacySave} from '../helpers/images.js'
import type {Member} from '../helpers/tar.js'
import {compareFilesystems, exportEntries, filesystemOf} from '../helpers/independent-reader.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {assertSchema} from '../helpers/schema.js'
import {build, importBusybox, type PrivateEngine, startDockerd} from './dockerd.js'

const DOCKERFILE = `FROM dl-base:1
RUN mkdir -p /var/cache/pkgs /root && dd if=/dev/zero of=/var/cache/pkgs/big.bin bs=1024 count=64 && echo secret > /root/id_rsa
RUN rm -rf /var/cache/pkgs /root/id_rsa
RUN mkdir /app && dd if=/dev/zero of=/app/data bs=1000 count=10
RUN chmod 600 /app/data
COPY file.txt /app/file.txt
ENV A=1
CMD ["sh"]
`
const FILE_TXT = 'hello from the build context\n'

describe('engine: a private dockerd, the daemon source and the docker CLI plugin', function () {
  let engine: PrivateEngine
  let busyboxBytes = 0

  before(async function () {
    requirePrerequisites(this, 'engine')
    this.timeout(300_000)
    engine = await startDockerd()
    busyboxBytes = await importBusybox(engine, 'dl-base:1')
    await build(engine, 'dl-app:1', {Dockerfile: DOCKERFILE, 'file.txt': FILE_TXT})
  })

  after(async () => {
    await engine?.stop()
  })

  function expectAppFigures(report: any) {
    const total = busyboxBytes + 65_543 + 10_000 + 10_000 + FILE_TXT.length
    assert.deepEqual(report.summary.layers, 6)
    assert.deepEqual(
      [report.summary.totalBytes, report.summary.wastedBytes, report.summary.finalBytes],
      [total, 65_543 + 10_000, total - 75_543],
    )
    assert.deepEqual(
      report.topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how]),
      [
        ['/var/cache/pkgs/big.bin', 65_536, 1, 2, 'deleted'],
        ['/app/data', 10_000, 3, 4, 'metadata-only'],
        ['/root/id_rsa', 7, 1, 2, 'deleted'],
      ],
    )
    assert.deepEqual(
      report.layers.map((l: any) => [l.bytes, l.removed, l.removedBytes, l.wastedBytes]),
      [
        [busyboxBytes, 0, 0, 0],
        [65_543, 0, 0, 65_543],
        [0, 3, 65_543, 0],
        [10_000, 0, 0, 10_000],
        [10_000, 0, 0, 0],
        [FILE_TXT.length, 0, 0, 0],
      ],
    )
    assert.match(report.layers[2].createdBy, /rm -rf \/var\/cache\/pkgs \/root\/id_rsa/)
    assert.match(report.layers[5].createdBy, /COPY file:[0-9a-f]+ in \/app\/file.txt/)
  }

  /** Links the plugin into this engine's DOCKER_CONFIG, as each test that runs `docker layers` needs it. */
  async function installPlugin(): Promise<string> {
    const link = join(engine.env.DOCKER_CONFIG as string, 'cli-plugins', 'docker-layers')
    const install = await runCli(['plugin', 'install'], {env: engine.env})
    assert.deepEqual(
      [install.code, install.stderr, install.stdout],
      [0, '', `Installed ${link} -> ${BIN}\nTry: docker layers --help\n`],
    )
    return link
  }

  /** The engine's images, tags and ids: what a failed flatten -t must leave as it was. */
  async function images(): Promise<string> {
    const list = await engine.docker([
      'image',
      'ls',
      '--all',
      '--no-trunc',
      '--format',
      '{{.Repository}}:{{.Tag}} {{.ID}}',
    ])
    assert.equal(list.code, 0, list.stderr)
    return list.stdout.split('\n').sort().join('\n')
  }

  /** dl-work: a container that wrote, changed and deleted files, with a volume; run by the first test needing it. */
  let work: Promise<void> | undefined
  const workContainer = () =>
    (work ??= (async () => {
      const run = await engine.docker([
        'run',
        '--name',
        'dl-work',
        '--network',
        'none',
        '-v',
        '/mnt/vol/deep',
        'dl-app:1',
        'sh',
        '-c',
        'mkdir -p /tmp/build /root/.cache/pip && dd if=/dev/zero of=/tmp/build/obj bs=1000 count=5 2>/dev/null ' +
          '&& echo more >> /app/file.txt && rm /app/data && echo 1234 > /root/.cache/pip/x && touch /.dockerenv',
      ])
      assert.deepEqual([run.code, run.stderr], [0, ''])
    })())

  /** dl-committed:1, the commit of dl-work, made once. */
  let committed: Promise<void> | undefined
  const committedImage = () =>
    (committed ??= (async () => {
      await workContainer()
      const commit = await engine.docker(['commit', 'dl-work', 'dl-committed:1'])
      assert.deepEqual([commit.code, commit.stderr], [0, ''])
    })())

  it('analyzes an engine image from the save stream, with the inspect identity', async () => {
    const report = await analyzeJson(['dl-app:1', '--via', 'save'], {env: engine.env})
    expectAppFigures(report)
    assert.deepEqual(report.source, {kind: 'daemon', name: 'dl-app:1', format: 'docker-legacy'})
    assert.deepEqual(report.image.repoTags, ['dl-app:1'])
    const inspect = JSON.parse((await engine.docker(['image', 'inspect', 'dl-app:1'])).stdout)[0]
    assert.equal(report.image.id, inspect.Id)
    assert.deepEqual(
      report.layers.map((l: any) => l.digest),
      inspect.RootFS.Layers,
    )
    expectAppFigures(await analyzeJson(['docker-daemon:dl-app:1', '--via', 'save'], {env: engine.env}))
    // the default reads the engine's own layer store: the same figures, no docker save
    const fromStore = await analyzeJson(['dl-app:1'], {env: engine.env})
    expectAppFigures(fromStore)
    assert.deepEqual(fromStore.source, {kind: 'daemon', name: 'dl-app:1', format: 'engine-store'})
  })

  it('docker save archives, from a file and from stdin, give the same figures', async () => {
    const archive = join(engine.dir, 'app.tar')
    const saved = await engine.docker(['save', '-o', archive, 'dl-app:1'])
    assert.equal(saved.code, 0, saved.stderr)
    expectAppFigures(await analyzeJson([archive]))
    expectAppFigures(await analyzeJson(['-'], {stdin: execFileSync('cat', [archive], {maxBuffer: 1 << 28})}))
  })

  it('skopeo OCI layouts and archives, gzip and zstd', async () => {
    const copies: Array<[string, string[]]> = [
      [`oci:${engine.dir}/oci-gzip:app`, []],
      [`oci-archive:${engine.dir}/oci-zstd.tar:app`, ['--dest-compress', '--dest-compress-format', 'zstd']],
    ]
    for (const [destination, flags] of copies) {
      const copy = spawnSync(
        'skopeo',
        ['copy', '--quiet', '--src-daemon-host', engine.host, ...flags, 'docker-daemon:dl-app:1', destination],
        {encoding: 'utf8'},
      )
      assert.equal(copy.status, 0, copy.stderr)
      const report = await analyzeJson([destination])
      expectAppFigures(report)
      assert.equal(report.source.format, 'oci')
    }
  })

  it('metadata only: docker image inspect and docker history output, as the CLI and the API write them', async () => {
    const inspect = join(engine.dir, 'inspect.json')
    const lines = join(engine.dir, 'history.jsonl')
    const {writeFileSync} = await import('node:fs')
    writeFileSync(inspect, (await engine.docker(['image', 'inspect', 'dl-app:1'])).stdout)
    writeFileSync(lines, (await engine.docker(['history', '--no-trunc', '--format', '{{json .}}', 'dl-app:1'])).stdout)
    const full = await analyzeJson(['dl-app:1'], {env: engine.env})
    const meta = await analyzeJson(['--inspect', inspect, '--history', lines])
    assert.equal(meta.source.kind, 'metadata')
    assert.equal(meta.image.id, full.image.id)
    assert.deepEqual(
      meta.layers.map((l: any) => l.digest),
      full.layers.map((l: any) => l.digest),
    )
    assert.deepEqual(
      meta.layers.map((l: any) => l.createdBy),
      full.layers.map((l: any) => l.createdBy),
    )
    assert.deepEqual(
      [meta.approximate, meta.summary.layers, meta.summary.wastedBytes, meta.layers[1].added],
      [true, 6, null, null],
    )
    assert.equal(meta.unavailable.includes('summary.wastedBytes'), true)
    // the engine's layer sizes: the pure-file layers equal the content bytes (docker history prints 65.5kB)
    assert.deepEqual(
      meta.layers.slice(1).map((l: any) => l.bytes),
      [65_500, 0, 10_000, 10_000, 29],
    )
  })

  it('a missing image is an error, never a pull', async () => {
    const result = await runCli(['analyze', 'nosuch:tag'], {env: engine.env})
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [2, '', 'docker-layers: image not found: nosuch:tag\n'],
    )
  })

  it('runs as `docker layers` through the real docker CLI once the plugin is installed', async () => {
    const link = await installPlugin()
    assert.equal(lstatSync(link).isSymbolicLink(), true)
    assert.equal(readlinkSync(link), BIN)
    const info = await engine.docker(['info', '--format', '{{json .ClientInfo.Plugins}}'])
    const plugin = JSON.parse(info.stdout).find((p: any) => p.Name === 'layers')
    assert.deepEqual([plugin.Vendor, plugin.Version, plugin.Path], ['docker-layers', '0.1.0', link])
    const help = await engine.docker(['layers', '--help'])
    assert.deepEqual([help.code, help.stderr], [0, ''])
    assert.match(help.stdout, /analyze +Show where the bytes of an image go/)
    const viaPlugin = await engine.docker(['layers', 'analyze', 'dl-app:1', '--format', 'json'])
    assert.equal(viaPlugin.code, 0, viaPlugin.stderr)
    expectAppFigures(JSON.parse(viaPlugin.stdout))
    const bad = await engine.docker(['layers', 'analyze', 'nosuch:tag'])
    assert.deepEqual([bad.code, bad.stderr], [2, 'docker layers: image not found: nosuch:tag\n'])
  })

  it("takes the engine from docker's global flags: -H, --context, and the current context", async () => {
    await installPlugin()
    const noHost = {DOCKER_HOST: ''}
    const viaHost = await engine.docker(['-H', engine.host, 'layers', 'analyze', 'dl-app:1', '--format', 'json'], {
      env: noHost,
    })
    assert.equal(viaHost.code, 0, viaHost.stderr)
    expectAppFigures(JSON.parse(viaHost.stdout))
    const created = await engine.docker(['context', 'create', 'dl-private', '--docker', `host=${engine.host}`], {
      env: noHost,
    })
    assert.equal(created.code, 0, created.stderr)
    const viaContext = await engine.docker(
      ['--context', 'dl-private', 'layers', 'analyze', 'dl-app:1', '--format', 'json'],
      {env: noHost},
    )
    assert.equal(viaContext.code, 0, viaContext.stderr)
    expectAppFigures(JSON.parse(viaContext.stdout))
    // standalone: DOCKER_CONTEXT, then currentContext from config.json
    expectAppFigures(
      await analyzeJson(['dl-app:1'], {env: {...engine.env, DOCKER_HOST: '', DOCKER_CONTEXT: 'dl-private'}}),
    )
    const missing = await runCli(['analyze', 'dl-app:1'], {
      env: {...engine.env, DOCKER_HOST: '', DOCKER_CONTEXT: 'nope'},
    })
    assert.deepEqual(
      [missing.code, missing.stdout, missing.stderr],
      [
        2,
        '',
        `docker-layers: context "nope" (DOCKER_CONTEXT) does not exist in ${join(engine.env.DOCKER_CONFIG as string, 'contexts')}\n`,
      ],
    )
    // the current context is this engine's CLI configuration: put it back whatever happens
    assert.equal((await engine.docker(['context', 'use', 'dl-private'], {env: noHost})).code, 0)
    try {
      expectAppFigures(await analyzeJson(['dl-app:1'], {env: {...engine.env, DOCKER_HOST: ''}}))
    } finally {
      assert.equal((await engine.docker(['context', 'use', 'default'], {env: noHost})).code, 0)
    }
  })

  it('container: a real container that wrote, changed and deleted files, with a volume', async () => {
    await workContainer()
    const diff = (await engine.docker(['container', 'diff', 'dl-work'])).stdout
    assert.match(diff, /^A \/mnt\/vol\/deep$/m) // docker lists the mount point; it is not the user's change
    const report = await runCli(['container', 'dl-work', '--format', 'json'], {env: engine.env})
    assert.equal(report.code, 0, report.stderr)
    const json = JSON.parse(report.stdout)
    assertSchema('container', json)
    assert.deepEqual(
      json.changes.map((c: any) => [c.change, c.path, c.bytes, c.shadowedBytes, c.temporary]),
      [
        ['C', '/app', 0, 0, null],
        ['D', '/app/data', 0, 10_000, null],
        ['C', '/app/file.txt', FILE_TXT.length + 5, FILE_TXT.length, null],
        ['C', '/root', 0, 0, null],
        ['A', '/root/.cache', 0, 0, 'tool cache'],
        ['A', '/root/.cache/pip', 0, 0, 'tool cache'],
        ['A', '/root/.cache/pip/x', 5, 0, 'tool cache'],
        ['A', '/tmp', 0, 0, 'temporary directory'],
        ['A', '/tmp/build', 0, 0, 'temporary directory'],
        ['A', '/tmp/build/obj', 5000, 0, 'temporary directory'],
      ],
    )
    assert.deepEqual(json.summary, {
      added: 6,
      changed: 3,
      deleted: 1,
      commitBytes: 5000 + 5 + FILE_TXT.length + 5,
      commitFiles: 3,
      shadowedBytes: 10_000 + FILE_TXT.length,
      temporaryBytes: 5005,
      temporaryFiles: 2,
    })
    assert.deepEqual(
      [json.container.name, json.container.image, json.container.state],
      ['dl-work', 'dl-app:1', 'exited'],
    )
    const template = '{{.Change}} {{.Path}}{{with .Temporary}} ({{.}}){{end}}'
    const listed = await runCli(['container', 'dl-work', '--format', template], {env: engine.env})
    assert.deepEqual(listed, {
      code: 0,
      stdout:
        'C /app\nD /app/data\nC /app/file.txt\nC /root\nA /root/.cache (tool cache)\nA /root/.cache/pip (tool cache)\n' +
        'A /root/.cache/pip/x (tool cache)\nA /tmp (temporary directory)\nA /tmp/build (temporary directory)\n' +
        'A /tmp/build/obj (temporary directory)\n',
      stderr: '',
    })
    // the commit really adds what was predicted: analyze the committed image
    await committedImage()
    const committed = await analyzeJson(['dl-committed:1'], {env: engine.env})
    assert.equal(committed.layers[6].bytes, json.summary.commitBytes)
    assert.equal(committed.layers[6].removed, 1)
    const missing = await runCli(['container', 'nosuch'], {env: engine.env})
    assert.deepEqual([missing.code, missing.stderr], [2, 'docker-layers: container not found: nosuch\n'])
  })

  it('container: a container created and never started, without changes', async () => {
    const id = (await engine.docker(['create', '--name', 'dl-unchanged', 'dl-app:1'])).stdout.trim()
    // the engine answers `null` for its changes; reading that was a TypeError
    const report = await runCli(['container', 'dl-unchanged'], {env: engine.env})
    assert.deepEqual(
      [report.code, report.stderr, report.stdout],
      [
        0,
        '',
        `Container dl-unchanged (${id.slice(0, 12)}, created) from dl-app:1\n\n` +
          'No changes: committing would add an empty layer.\n',
      ],
    )
  })

  it('files, waste and diff against engine images, also as docker layers', async () => {
    await installPlugin()
    await committedImage()
    const waste = await engine.docker(['layers', 'waste', 'dl-app:1', '--format', 'json'])
    assert.equal(waste.code, 0, waste.stderr)
    assert.deepEqual(
      JSON.parse(waste.stdout).waste.map((w: any) => [w.path, w.bytes, w.how]),
      [
        ['/var/cache/pkgs/big.bin', 65_536, 'deleted'],
        ['/root/id_rsa', 7, 'deleted'],
        ['/app/data', 10_000, 'metadata-only'],
      ],
    )
    const files = await runCli(['files', 'dl-app:1', '--layer', '2', '--changes', 'D', '--format', 'json'], {
      env: engine.env,
    })
    assert.deepEqual(
      JSON.parse(files.stdout).files.map((f: any) => [f.path, f.bytes]),
      [
        ['/root/id_rsa', 7],
        ['/var/cache/pkgs', 0],
        ['/var/cache/pkgs/big.bin', 65_536],
      ],
    )
    const diff = await runCli(['diff', 'dl-app:1', 'dl-committed:1', '--format', 'json'], {env: engine.env})
    const report = JSON.parse(diff.stdout)
    assert.deepEqual([report.sharedLayers.commonBase, report.summary.deltaBytes], [6, 5000 + 5 + 5 - 10_000])
  })

  it('flatten -t: a container of the flattened image exports the same filesystem, with the same config', async () => {
    await installPlugin()
    const imagesBefore = await images()
    const flat = await engine.docker([
      'layers',
      'flatten',
      'dl-app:1',
      '-t',
      'dl-app:flat',
      '--verify',
      '--format',
      'json',
    ])
    assert.equal(flat.code, 0, flat.stderr)
    const report = JSON.parse(flat.stdout)
    assert.deepEqual(
      [report.before.layers, report.after.layers, report.savedBytes, report.verified > 0],
      [6, 1, 75_543, true],
    )
    // the layer went in through import, the config through a load: the image imported on the way is gone, and the
    // image is the one an archive written by -o holds (the same config, so the same ID)
    assert.equal(await images(), [...imagesBefore.split('\n'), `dl-app:flat ${report.id}`].sort().join('\n'))
    const archived = await runCli(['flatten', 'dl-app:1', '-o', join(engine.dir, 'flat-id.tar'), '--format', 'json'], {
      env: engine.env,
    })
    assert.equal(JSON.parse(archived.stdout).id, report.id)
    const exported: string[] = []
    for (const image of ['dl-app:1', 'dl-app:flat']) {
      const name = `dl-export-${image.replace(':', '-')}`
      assert.equal((await engine.docker(['create', '--name', name, image])).code, 0)
      const path = join(engine.dir, `${name}.tar`)
      assert.equal((await engine.docker(['export', '-o', path, name])).code, 0)
      exported.push(path)
    }
    // runtime placeholders are the same empty files in both containers, so the whole export must match
    const diff = JSON.parse((await runCli(['diff', exported[0], exported[1], '--content', '--format', 'json'])).stdout)
    assert.deepEqual(diff.files, [])
    // and read by node-tar and the reference model, not by the code under test
    const [before, after] = exported.map((path) => filesystemOf([exportEntries(path)]))
    assert.deepEqual(compareFilesystems(before, after), [])
    const configs = JSON.parse((await engine.docker(['image', 'inspect', 'dl-app:1', 'dl-app:flat'])).stdout).map(
      (i: any) => {
        const {Image: _image, Hostname: _host, ...config} = i.Config
        return [config, i.Os, i.Architecture]
      },
    )
    assert.deepEqual(configs[1], configs[0])
    const ran = await engine.docker([
      'run',
      '--rm',
      '--network',
      'none',
      'dl-app:flat',
      'sh',
      '-c',
      'cat /app/file.txt; echo $A; ls /var/cache /root',
    ])
    // the deleted cache and key stay deleted: both directories are empty
    assert.equal(ran.stdout, `${FILE_TXT}1\n/root:\n\n/var/cache:\n`)
  })

  it('flatten --from keeps the base shared and runs; -o archives load with docker load', async () => {
    const from = await runCli(
      ['flatten', 'dl-app:1', '-t', 'dl-app:from', '--from', 'dl-base:1', '--verify', '--format', 'json'],
      {env: engine.env},
    )
    assert.equal(from.code, 0, from.stderr)
    const fromReport = JSON.parse(from.stdout)
    // the base (busybox) stays; the five layers above squash into one: what they stored less the 75,543 never shown
    assert.deepEqual(
      [from.stderr, fromReport.before, fromReport.after, fromReport.savedBytes, fromReport.output],
      [
        '',
        {layers: 6, bytes: busyboxBytes + 65_543 + 10_000 + 10_000 + FILE_TXT.length},
        {layers: 2, bytes: busyboxBytes + 10_000 + FILE_TXT.length},
        75_543,
        {tag: 'dl-app:from'},
      ],
    )
    const [original, squashed] = JSON.parse(
      (await engine.docker(['image', 'inspect', 'dl-app:1', 'dl-app:from'])).stdout,
    ).map((i: any) => i.RootFS.Layers)
    assert.deepEqual([squashed.length, squashed[0]], [2, original[0]])
    assert.equal(
      (await engine.docker(['run', '--rm', '--network', 'none', 'dl-app:from', 'cat', '/app/file.txt'])).stdout,
      FILE_TXT,
    )
    const archive = join(engine.dir, 'flat-o.tar')
    const written = await runCli(['flatten', 'dl-app:1', '-o', archive, '--compress', 'gzip', '--format', 'json'], {
      env: engine.env,
    })
    assert.deepEqual([written.code, written.stderr], [0, ''])
    const {id, output} = JSON.parse(written.stdout)
    assert.deepEqual(output, {file: archive, format: 'docker-archive', compression: 'gzip'})
    const load = await engine.docker(['load', '-i', archive])
    assert.deepEqual([load.code, load.stderr, load.stdout], [0, '', `Loaded image ID: ${id}\n`])
    // -t with -o names the archive's tag; the same source gives the same image ID, compressed or not
    const tagged = join(engine.dir, 'flat-tagged.tar')
    assert.equal(
      (await runCli(['flatten', 'dl-app:1', '-o', tagged, '-t', 'dl-app:tagged'], {env: engine.env})).code,
      0,
    )
    const loaded = await engine.docker(['load', '-i', tagged])
    assert.equal(loaded.stdout, 'Loaded image: dl-app:tagged\n', loaded.stderr)
    const inspected = await engine.docker(['image', 'inspect', '--format', '{{.Id}}', 'dl-app:tagged'])
    assert.equal(inspected.stdout, `${id}\n`)
    // a flatten -t that fails makes no tag and leaves the engine's images as they were
    const before = await images()
    const refused = await runCli(['flatten', 'nosuch:1', '-t', 'never:1'], {env: engine.env})
    assert.deepEqual(
      [refused.code, refused.stdout, refused.stderr],
      [2, '', 'docker-layers: image not found: nosuch:1\n'],
    )
    const badFrom = await runCli(['flatten', 'dl-app:1', '-t', 'never:1', '--from', '6'], {env: engine.env})
    assert.deepEqual(
      [badFrom.code, badFrom.stdout, badFrom.stderr],
      [2, '', 'docker-layers: --from 6: the image has 6 layers; squash from 0 to 5\n'],
    )
    assert.equal(await images(), before)
  })

  it('hardlinks: the engine refuses each layer flatten refuses, and extracts the valid ones as the model has them', async () => {
    // one image per invalid link of INVALID_LINKS' first layer, with what it needs: link(2)'s errno for each
    const first = INVALID_LINKS.layers[0] as {members: Member[]}
    const needs = (path: string) =>
      first.members.filter((m) => ['a', 'dir/', 'spin'].includes(m.path) || m.path === path)
    for (const [path, errno] of [
      ['self', 'no such file or directory'],
      ['missing', 'no such file or directory'],
      ['todir', 'operation not permitted'],
      ['toroot', 'operation not permitted'],
      ['tospin', 'too many levels of symbolic links'],
    ]) {
      const archive = join(engine.dir, `link-${path}.tar`)
      writeFileSync(archive, legacySave([{tag: `dl-link-${path}:1`, layers: [{members: needs(path)}]}]))
      const load = await engine.docker(['load', '-i', archive])
      assert.equal(load.code, 1, path)
      assert.match(load.stderr, new RegExp(`link [^\\n]*/${path}: ${errno}\\n$`))
      const flatten = await runCli(['flatten', archive, '-o', join(engine.dir, `flat-${path}.tar`)])
      assert.equal(flatten.code, 2)
      assert.match(flatten.stderr, new RegExp(`^docker-layers: cannot flatten: hardlink /${path} in layer 0 `))
    }
    // the valid links, extracted by the engine: the container's filesystem differs from the model's final one
    // only by what the runtime adds
    const good = join(engine.dir, 'good-links.tar')
    writeFileSync(good, legacySave([VALID_LINKS]))
    assert.equal((await engine.docker(['load', '-i', good])).code, 0)
    const id = (await engine.docker(['create', 'good-links:1', 'x'])).stdout.trim()
    const exported = join(engine.dir, 'good-links-export.tar')
    assert.equal((await engine.docker(['export', '-o', exported, id])).code, 0)
    const diff = await runCli(['diff', good, exported, '--format', 'json'])
    assert.equal(diff.code, 0, diff.stderr)
    assert.deepEqual(
      JSON.parse(diff.stdout)
        .files.filter((f: any) => !/^\/(\.dockerenv|dev|etc|proc|sys)(\/|$)/.test(f.path))
        .map((f: any) => [f.path, f.change, f.fields]),
      [],
    )
  })

  it('plugin uninstall removes the link and docker forgets the plugin', async () => {
    const link = await installPlugin()
    const result = await runCli(['plugin', 'uninstall'], {env: engine.env})
    assert.deepEqual([result.code, result.stderr, result.stdout], [0, '', `Removed ${link}\n`])
    assert.equal(existsSync(link), false)
    const info = await engine.docker(['info', '--format', '{{json .ClientInfo.Plugins}}'])
    assert.equal(
      JSON.parse(info.stdout).some((p: any) => p.Name === 'layers'),
      false,
    )
  })

  it('faults: a socket without permission, a load the engine refuses', async () => {
    // a user of its own: its own home, and (Node always passes NODE_V8_COVERAGE on) a coverage dir it may write
    const coverage = join(tmpdir(), `dl-nobody-coverage-${process.pid}`)
    mkdirSync(coverage, {recursive: true, mode: 0o777})
    chmodSync(coverage, 0o777)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...engine.env,
      DEBUG: '',
      HOME: '/tmp',
      XDG_DATA_HOME: '/tmp',
      XDG_CONFIG_HOME: '/tmp',
      XDG_CACHE_HOME: '/tmp',
      NODE_V8_COVERAGE: coverage,
    }
    const denied = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'analyze', 'dl-app:1'],
      {encoding: 'utf8', env},
    )
    rmSync(coverage, {recursive: true, force: true})
    assert.deepEqual(
      [denied.status, denied.stderr],
      [
        2,
        `docker-layers: cannot connect to the Docker engine at ${engine.host} (from DOCKER_HOST): permission denied\n`,
      ],
    )
    const windows = join(engine.dir, 'windows.tar')
    const {legacySave} = await import('../helpers/images.js')
    const {writeFileSync} = await import('node:fs')
    writeFileSync(
      windows,
      legacySave([{tag: 'win:1', os: 'windows', layers: [{members: [{path: 'Files/a.txt', content: 'x'}]}]}]),
    )
    const before = await images()
    const refused = await runCli(['flatten', windows, '-t', 'dl-refused:1'], {env: engine.env})
    // the rest of the line is the engine's own words
    assert.deepEqual([refused.code, refused.stdout], [2, ''])
    assert.match(refused.stderr, /^docker-layers: the engine refused the image: [^\n]*windows[^\n]*\n$/)
    assert.equal(await images(), before)
  })

  it('faults: an engine stopped mid-stream ends in one line naming it, exit 2 (an engine of its own)', async function () {
    this.timeout(300_000)
    const doomed = await startDockerd()
    try {
      const {legacySave} = await import('../helpers/images.js')
      const big = legacySave([
        {tag: 'dl-big:1', layers: Array.from({length: 3}, (_, i) => ({members: [{path: `blob${i}`, size: 80 << 20}]}))},
      ])
      assert.equal((await doomed.docker(['load', '-q'], {stdin: big})).code, 0)
      const child = spawn(process.execPath, [BIN, 'analyze', 'dl-big:1', '--via', 'save', '--format', 'json'], {
        env: {...process.env, ...doomed.env, DEBUG: ''},
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const closed = new Promise((resolve) => child.on('close', resolve))
      // stop the engine once the CLI has read 100 MB (of a 240 MB save stream; start-up reads a few MB of modules)
      for (;;) {
        const io = readFileSync(`/proc/${child.pid}/io`, 'utf8')
        if (Number(/^rchar: (\d+)$/m.exec(io)?.[1]) > 100e6) break
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      process.kill(Number(readFileSync(join(doomed.dir, 'pid'), 'utf8')), 'SIGKILL')
      assert.deepEqual(
        [await closed, stderr],
        [2, `docker-layers: the Docker engine at ${doomed.host} broke off the save stream of dl-big:1 (ECONNRESET)\n`],
      )
    } finally {
      await doomed.stop()
    }
  })
})
