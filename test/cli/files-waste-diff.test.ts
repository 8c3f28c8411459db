import assert from 'node:assert/strict'

import {analyzeJson, runCli} from '../helpers/cli.js'
import {buildImage, type ImageSpec, legacySave, ociArchive, scratch} from '../helpers/images.js'

const T = 1_700_000_000
const fill = (c: string, n: number) => c.repeat(n)

/** Deletes, an overwrite, an opaque directory, a metadata-only copy, hardlinks and a symlink. */
const X: ImageSpec = {
  tag: 'x:1',
  layers: [
    {
      createdBy: 'ADD base',
      members: [
        {path: 'etc/', type: 'dir'},
        {path: 'etc/conf', content: fill('A', 10), mtime: T},
        {path: 'bin/tool', content: fill('T', 100), mode: 0o755, mtime: T},
        {path: 'lib/libc.so', content: fill('L', 50), mtime: T},
        {path: 'lib/libc.so.6', type: 'hardlink', linkpath: 'lib/libc.so'},
        {path: 'usr/', type: 'dir'},
        {path: 'usr/share/doc/a', content: fill('a', 20), mtime: T},
        {path: 'usr/share/doc/b', content: fill('b', 30), mtime: T},
        {path: 'link', type: 'symlink', linkpath: 'bin/tool'},
      ],
    },
    {
      createdBy: 'RUN edit',
      members: [
        {path: 'etc/conf', content: fill('B', 12), mtime: T + 1},
        {path: 'etc/conf.bak', content: fill('A', 10), mtime: T},
        {path: 'secret', content: 'sssssss', mode: 0o600, mtime: T},
      ],
    },
    {
      createdBy: 'RUN rm secret; rm -rf /usr/share/doc && mkdir ...',
      members: [
        {path: '.wh.secret'},
        {path: 'usr/share/doc/', type: 'dir'},
        {path: 'usr/share/doc/.wh..wh..opq'},
        {path: 'usr/share/doc/c', content: fill('c', 5), mtime: T},
        {path: 'lib/.wh.libc.so'},
      ],
    },
    {
      createdBy: 'RUN chmod 700 /bin/tool',
      members: [{path: 'bin/tool', content: fill('T', 100), mode: 0o700, mtime: T}],
    },
  ],
}

const Y: ImageSpec = {
  tag: 'y:1',
  config: {Cmd: ['sh'], Env: ['A=1']},
  layers: [
    X.layers[0],
    X.layers[1],
    {
      createdBy: 'RUN other',
      members: [
        {path: 'usr/share/doc/a', content: fill('z', 25), mtime: T},
        {path: 'opt/new', content: fill('n', 40), mtime: T},
      ],
    },
  ],
}

describe('files, waste and diff on a generated image', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const x = tmp.file('x.tar', legacySave([X]))
  const y = tmp.file('y.tar', ociArchive([Y], {compression: 'gzip', dockerManifest: true}))

  it("files: every layer's A/M/D with size, type, mode, owner and link target", async () => {
    const result = await runCli(['files', x, '--format', 'json'])
    assert.equal(result.code, 0, result.stderr)
    const files = JSON.parse(result.stdout).files.map((f: any) => [
      f.layer,
      f.change,
      f.path,
      f.type,
      f.bytes,
      f.mode,
      f.linkTarget,
    ])
    assert.deepEqual(files, [
      [0, 'A', '/etc', 'dir', 0, '0755', null],
      [0, 'A', '/etc/conf', 'file', 10, '0644', null],
      [0, 'A', '/bin/tool', 'file', 100, '0755', null],
      [0, 'A', '/lib/libc.so', 'file', 50, '0644', null],
      [0, 'A', '/lib/libc.so.6', 'hardlink', 0, '0644', '/lib/libc.so'],
      [0, 'A', '/usr', 'dir', 0, '0755', null],
      [0, 'A', '/usr/share/doc/a', 'file', 20, '0644', null],
      [0, 'A', '/usr/share/doc/b', 'file', 30, '0644', null],
      [0, 'A', '/link', 'symlink', 0, '0644', 'bin/tool'],
      [1, 'M', '/etc/conf', 'file', 12, '0644', null],
      [1, 'A', '/etc/conf.bak', 'file', 10, '0644', null],
      [1, 'A', '/secret', 'file', 7, '0600', null],
      [2, 'D', '/secret', 'file', 7, '0600', null],
      [2, 'D', '/lib/libc.so', 'file', 50, '0644', null],
      [2, 'D', '/usr/share/doc/a', 'file', 20, '0644', null],
      [2, 'D', '/usr/share/doc/b', 'file', 30, '0644', null],
      [2, 'M', '/usr/share/doc', 'dir', 0, '0755', null],
      [2, 'A', '/usr/share/doc/c', 'file', 5, '0644', null],
      [3, 'M', '/bin/tool', 'file', 100, '0700', null],
    ])
    const deletes = await runCli([
      'files',
      x,
      '--changes',
      'D',
      '--path',
      '/usr/**',
      '--sort',
      'size',
      '--format',
      'csv',
    ])
    assert.equal(
      deletes.stdout,
      '"layer","change","path","type","bytes","mode","uid","gid","linkTarget"\n' +
        '2,"D","/usr/share/doc/b","file",30,"0644",0,0,\n' +
        '2,"D","/usr/share/doc/a","file",20,"0644",0,0,\n',
    )
    const layer = await runCli(['files', x, '--layer', '1', '--min-size', '11'])
    assert.equal(
      layer.stdout,
      'LAYER  C  TYPE     MODE  UID:GID         SIZE  PATH\n    1  M  file     0644  0:0              12B  /etc/conf\n',
    )
  })

  it('files --sort path, and --layer by a diff_id prefix, with or without sha256:', async () => {
    // layer 2 as the layer makes its changes: the deletions, then the opaque directory and what it holds
    const byPath = await runCli(['files', x, '--layer', '2', '--sort', 'path'])
    const header = 'LAYER  C  TYPE     MODE  UID:GID         SIZE  PATH'
    assert.deepEqual(
      [byPath.code, byPath.stderr, byPath.stdout.split('\n')],
      [
        0,
        '',
        [
          header,
          '    2  D  file     0644  0:0              50B  /lib/libc.so',
          '    2  D  file     0600  0:0               7B  /secret',
          '    2  M  dir      0755  0:0                -  /usr/share/doc',
          '    2  D  file     0644  0:0              20B  /usr/share/doc/a',
          '    2  D  file     0644  0:0              30B  /usr/share/doc/b',
          '    2  A  file     0644  0:0               5B  /usr/share/doc/c',
          '',
        ],
      ],
    )
    // the layer's diff_id: the sha256 of the layer tar the test helper built
    const digest = buildImage(X).diffIds[2]
    for (const prefix of [digest.slice(7, 19), digest.slice(0, 19), digest]) {
      const result = await runCli(['files', x, '--layer', prefix, '--sort', 'path'])
      assert.deepEqual([result.code, result.stderr, result.stdout], [0, '', byPath.stdout], prefix)
    }
    // layers 0 and 1 of this image are the same empty tar: one diff_id for both
    const twin = tmp.file('twin.tar', legacySave([{layers: [{members: []}, {members: []}, {members: [{path: 'x'}]}]}]))
    const twinDigest = buildImage({layers: [{members: []}]}).diffIds[0]
    const several = await runCli(['files', twin, '--layer', twinDigest.slice(7, 19)])
    assert.deepEqual(
      [several.code, several.stdout, several.stderr],
      [2, '', `docker-layers: --layer ${twinDigest.slice(7, 19)}: several layers match that prefix\n`],
    )
    const none = await runCli(['files', twin, '--layer', '0123456789ab'])
    assert.deepEqual(
      [none.code, none.stdout, none.stderr],
      [2, '', 'docker-layers: --layer 0123456789ab: no layer has that digest\n'],
    )
  })

  it('files --tree: directory sizes per layer and for the final filesystem (hardlinked content once)', async () => {
    const tree = JSON.parse(
      (await runCli(['files', x, '--tree', '--final', '--depth', '2', '--format', 'json'])).stdout,
    ).tree
    assert.deepEqual(
      tree.map((t: any) => [t.path, t.bytes, t.files]),
      [
        ['/', 177, 5],
        ['/bin', 100, 1],
        ['/etc', 22, 2],
        ['/lib', 50, 1],
        ['/usr', 5, 1],
        ['/usr/share', 5, 1],
      ],
    )
    const perLayer = JSON.parse(
      (await runCli(['files', x, '--tree', '--layer', '0', '--depth', '1', '--format', 'json'])).stdout,
    ).tree
    assert.deepEqual(
      perLayer.map((t: any) => [t.layer, t.path, t.bytes]),
      [
        [0, '/', 210],
        [0, '/bin', 100],
        [0, '/etc', 10],
        [0, '/lib', 50],
        [0, '/usr', 50],
      ],
    )
  })

  it("waste: records that add up to analyze's wastedBytes, grouped by layer pair; --duplicates by content", async () => {
    const result = await runCli(['waste', x, '--duplicates', '--format', 'json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.deepEqual(
      report.waste.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how, w.hiddenByCreatedBy]),
      [
        ['/etc/conf', 10, 0, 1, 'overwritten', 'RUN edit'],
        ['/usr/share/doc/b', 30, 0, 2, 'opaque', 'RUN rm secret; rm -rf /usr/share/doc && mkdir ...'],
        ['/usr/share/doc/a', 20, 0, 2, 'opaque', 'RUN rm secret; rm -rf /usr/share/doc && mkdir ...'],
        ['/bin/tool', 100, 0, 3, 'metadata-only', 'RUN chmod 700 /bin/tool'],
        ['/secret', 7, 1, 2, 'deleted', 'RUN rm secret; rm -rf /usr/share/doc && mkdir ...'],
      ],
    )
    assert.equal(report.wastedBytes, 167)
    assert.equal((await analyzeJson([x])).summary.wastedBytes, 167)
    assert.deepEqual(
      report.duplicates.map((d: any) => [
        d.bytes,
        d.costBytes,
        d.copies.map((c: any) => `${c.path}@${c.layer}${c.visible ? '' : ' hidden'}`),
      ]),
      [
        [100, 100, ['/bin/tool@0 hidden', '/bin/tool@3']],
        [10, 10, ['/etc/conf@0 hidden', '/etc/conf.bak@1']],
      ],
    )
    const table = await runCli(['waste', x])
    assert.match(
      table.stdout,
      /^Layer 0 \(ADD base\) stores 50B in 2 files that layer 2 \(RUN rm secret; rm -rf \/usr\/share\/doc && mkdir \.\.\.\) hides:$/m,
    )
    assert.match(table.stdout, /^Total wasted: 167B \(167 bytes\) in 5 files$/m)
  })

  it('diff: shared layers, final-filesystem changes, directory deltas and config', async () => {
    const result = await runCli(['diff', x, y, '--format', 'json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.deepEqual(
      [
        report.sharedLayers.commonBase,
        report.sharedLayers.digests.length,
        report.sharedLayers.layersA,
        report.sharedLayers.layersB,
      ],
      [2, 2, 4, 3],
    )
    assert.deepEqual(
      report.files.map((f: any) => [f.change, f.path, f.fields.join(',')]),
      [
        ['changed', '/bin/tool', 'mode'],
        ['added', '/lib/libc.so', ''],
        ['added', '/opt', ''],
        ['added', '/opt/new', ''],
        ['added', '/secret', ''],
        ['added', '/usr/share/doc/a', ''],
        ['added', '/usr/share/doc/b', ''],
        ['removed', '/usr/share/doc/c', ''],
      ],
    )
    assert.deepEqual(
      report.directories.map((d: any) => [d.path, d.before, d.after, d.delta]),
      [
        ['/', 177, 274, 97],
        ['/usr', 5, 55, 50],
        ['/usr/share', 5, 55, 50],
        ['/usr/share/doc', 5, 55, 50],
        ['/opt', 0, 40, 40],
      ],
    )
    assert.deepEqual(report.config, [{key: 'Env', before: null, after: ['A=1']}])
    assert.deepEqual(report.summary, {added: 6, removed: 1, changed: 1, bytesA: 177, bytesB: 274, deltaBytes: 97})
    const same = await runCli(['diff', x, x])
    assert.match(same.stdout, /^The final filesystems and configs are the same\.$/m)
  })

  it('diff --depth: directory deltas down to that many levels (0: the root alone)', async () => {
    const rows = async (depth: string) => {
      const result = await runCli(['diff', x, y, '--depth', depth, '--format', 'json'])
      assert.deepEqual([result.code, result.stderr], [0, ''])
      return JSON.parse(result.stdout).directories.map((d: any) => [d.path, d.before, d.after, d.delta])
    }
    // the deltas by hand: usr/share/doc holds 5 bytes (c) in x, 55 (a 25, b 30) in y; opt 40 in y alone
    assert.deepEqual(await rows('1'), [
      ['/', 177, 274, 97],
      ['/usr', 5, 55, 50],
      ['/opt', 0, 40, 40],
    ])
    assert.deepEqual(await rows('0'), [['/', 177, 274, 97]])
  })

  it('diff --content tells apart files of the same size', async () => {
    const a = tmp.file('a.tar', legacySave([{layers: [{members: [{path: 'f', content: 'aaaa', mtime: T}]}]}]))
    const b = tmp.file('b.tar', legacySave([{layers: [{members: [{path: 'f', content: 'bbbb', mtime: T}]}]}]))
    assert.deepEqual(JSON.parse((await runCli(['diff', a, b, '--format', 'json'])).stdout).files, [])
    const content = JSON.parse((await runCli(['diff', a, b, '--content', '--format', 'json'])).stdout).files
    assert.deepEqual(
      content.map((f: any) => [f.path, f.fields]),
      [['/f', ['content']]],
    )
  })

  it('bad filters are usage errors', async () => {
    assert.deepEqual(await runCli(['files', x, '--changes', 'X']).then((r) => [r.code, r.stderr]), [
      2,
      'docker-layers: --changes X: expected letters among A, M, D\n',
    ])
    assert.deepEqual(await runCli(['files', x, '--layer', '9']).then((r) => [r.code, r.stderr]), [
      2,
      'docker-layers: --layer 9: the image has 4 layers (0-3)\n',
    ])
  })
})
