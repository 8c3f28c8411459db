import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {analyzeJson, runCli} from '../helpers/cli.js'
import {INVALID_LINK_NOTES, INVALID_LINKS, VALID_LINKS} from '../helpers/hardlinks.js'
import {type ImageSpec, legacySave, scratch} from '../helpers/images.js'

/** Runs a command that must succeed quietly and returns its JSON. */
async function json(args: string[]): Promise<any> {
  const result = await runCli([...args, '--format', 'json'])
  assert.equal(result.stderr, '')
  assert.equal(result.code, 0)
  return JSON.parse(result.stdout)
}

// Layers no filesystem would hold, which a tar can: every command reads them with exact figures.
describe('hostile layers', function () {
  this.timeout(600_000)
  const tmp = scratch()
  after(() => tmp.remove())

  for (const depth of [5_000, 10_000]) {
    it(`a file at depth ${depth.toLocaleString('en')}: every command, exact figures; flatten writes and verifies it`, async () => {
      // d/d/…/d/f (written with pax headers), overwritten above; e/e/…/e/f, hidden by a file `e` above
      const deep = `${'d/'.repeat(depth - 1)}f`
      const other = `${'e/'.repeat(depth - 1)}f`
      const base = {
        members: [
          {path: deep, content: 'hello'},
          {path: other, content: 'bye'},
        ],
      }
      const spec = (top: ImageSpec['layers'][number]): ImageSpec => ({tag: 'deep:1', layers: [base, top]})
      const image = tmp.file(
        `deep-${depth}.tar`,
        legacySave([
          spec({
            members: [
              {path: deep, content: 'hello world'},
              {path: 'e', content: 'E'},
            ],
          }),
        ]),
      )

      const report = await analyzeJson([image])
      assert.deepEqual(
        [report.summary.totalBytes, report.summary.finalBytes, report.summary.wastedBytes, report.summary.finalFiles],
        [20, 12, 8, 2],
      )
      assert.deepEqual(
        report.layers.map((l: any) => [l.added, l.modified, l.removed, l.removedBytes, l.wastedBytes]),
        [
          [2, 0, 0, 0, 8],
          [0, 2, depth - 1, 3, 0],
        ],
      )
      assert.deepEqual(
        report.topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how]),
        [
          [`/${deep}`, 5, 0, 1, 'overwritten'],
          [`/${other}`, 3, 0, 1, 'replaced'],
        ],
      )

      // the changes but the depth - 1 paths e/e… that `e` deleted (analyze counted them), then one of those
      const list = async (...filter: string[]) =>
        (await json(['files', image, ...filter])).files.map((f: any) => [f.layer, f.change, f.path, f.type, f.bytes])
      assert.deepEqual(await list('--changes', 'A,M'), [
        [0, 'A', `/${deep}`, 'file', 5],
        [0, 'A', `/${other}`, 'file', 3],
        [1, 'M', `/${deep}`, 'file', 11],
        [1, 'M', '/e', 'file', 1],
      ])
      assert.deepEqual(await list('--path', '/e/e'), [[1, 'D', '/e/e', 'dir', 0]])

      const waste = await json(['waste', image])
      assert.deepEqual(
        [waste.waste.map((w: any) => [w.path, w.bytes, w.how]), waste.wastedBytes],
        [
          [
            [`/${deep}`, 5, 'overwritten'],
            [`/${other}`, 3, 'replaced'],
          ],
          8,
        ],
      )

      const tree = (await json(['files', image, '--tree', '--final'])).tree
      assert.deepEqual(
        tree.map((t: any) => [t.path, t.bytes, t.files]),
        [
          ['/', 12, 2],
          ['/d', 11, 1],
          ['/d/d', 11, 1],
          ['/d/d/d', 11, 1],
        ],
      )

      // diff: the deep file grows from 5 to 11 bytes; nothing else differs
      const before = tmp.file(`before-${depth}.tar`, legacySave([{tag: 'deep:1', layers: [base]}]))
      const after = tmp.file(
        `after-${depth}.tar`,
        legacySave([spec({members: [{path: deep, content: 'hello world'}]})]),
      )
      const diff = await json(['diff', before, after])
      assert.deepEqual(
        diff.files.map((f: any) => [f.path, f.change, f.fields]),
        [[`/${deep}`, 'changed', ['bytes']]],
      )
      assert.deepEqual(
        [diff.summary, diff.directories.map((d: any) => [d.path, d.delta])],
        [
          {added: 0, removed: 0, changed: 1, bytesA: 8, bytesB: 14, deltaBytes: 6},
          [
            ['/', 6],
            ['/d', 6],
            ['/d/d', 6],
            ['/d/d/d', 6],
          ],
        ],
      )

      // flatten: the file and `e`, nothing else (the directories stay implied); --verify walks all depth + 1 paths
      const out = tmp.file(`flat-${depth}.tar`)
      const flat = await json(['flatten', image, '-o', out, '--verify', '-q'])
      assert.deepEqual(
        [flat.before, flat.after, flat.savedBytes, flat.verified],
        [{layers: 2, bytes: 20}, {layers: 1, bytes: 12}, 8, depth + 1],
      )
      const written = (await json(['files', out])).files.map((f: any) => [f.change, f.path, f.type, f.bytes])
      assert.deepEqual(written, [
        ['A', `/${deep}`, 'file', 11],
        ['A', '/e', 'file', 1],
      ])
      const same = await json(['diff', image, out])
      assert.deepEqual([same.files, same.summary.deltaBytes], [[], 0])
    })
  }

  it('invalid hardlinks: read-only commands report on, with one note per path; flatten refuses, writing nothing', async () => {
    const bad = tmp.file('bad-links.tar', legacySave([INVALID_LINKS]))
    const analyze = await runCli(['analyze', bad, '--format', 'json'])
    assert.deepEqual([analyze.code, analyze.stderr], [0, INVALID_LINK_NOTES])
    // each invalid link is a path without content: 0 bytes, counted among the final files
    const {summary} = JSON.parse(analyze.stdout)
    assert.deepEqual([summary.totalBytes, summary.finalBytes, summary.wastedBytes, summary.finalFiles], [4, 4, 0, 9])
    const files = await runCli(['files', bad, '--format', 'json'])
    assert.deepEqual([files.code, files.stderr], [0, INVALID_LINK_NOTES])
    assert.deepEqual(
      JSON.parse(files.stdout)
        .files.filter((f: any) => f.type === 'hardlink')
        .map((f: any) => [f.layer, f.change, f.path, f.bytes, f.linkTarget]),
      [
        [0, 'A', '/self', 0, '/self'],
        [0, 'A', '/missing', 0, '/nowhere'],
        [0, 'A', '/todir', 0, '/dir'],
        [0, 'A', '/toroot', 0, '/'],
        [0, 'A', '/tospin', 0, '/spin/x'],
        [0, 'A', '/l1', 0, '/a'],
        [0, 'A', '/l2', 0, '/l1'],
        [1, 'M', '/self', 0, '/self'],
        [1, 'A', '/later', 0, '/missing'],
      ],
    )
    const waste = await runCli(['waste', bad, '--format', 'json'])
    assert.deepEqual([waste.code, waste.stderr, JSON.parse(waste.stdout).wastedBytes], [0, INVALID_LINK_NOTES, 0])
    // two images, the same notes: said once
    const diff = await runCli(['diff', bad, bad, '--format', 'json'])
    assert.deepEqual([diff.code, diff.stderr, JSON.parse(diff.stdout).files], [0, INVALID_LINK_NOTES, []])
    const check = await runCli(['check', bad, '--maxLayers', '5', '--format', 'json'])
    assert.deepEqual([check.code, check.stderr], [0, INVALID_LINK_NOTES])

    for (const args of [
      ['-o', join(tmp.dir, 'flat-bad.tar')],
      ['-o', join(tmp.dir, 'flat-bad.tar'), '--verify'],
    ]) {
      const flatten = await runCli(['flatten', bad, ...args])
      assert.deepEqual(
        [flatten.code, flatten.stdout, flatten.stderr],
        [
          2,
          '',
          'docker-layers: cannot flatten: hardlink /self in layer 0 links to itself (docker refuses to load such a layer)\n',
        ],
      )
      assert.equal(existsSync(join(tmp.dir, 'flat-bad.tar')), false)
      assert.deepEqual(
        readdirSync(tmp.dir).filter((name) => name.includes('.tmp-')),
        [],
      )
    }
  })

  it('valid hardlinks: to a hardlink, to a symlink, through a symlinked directory, to a file deleted above', async () => {
    const good = tmp.file('good-links.tar', legacySave([VALID_LINKS]))
    const report = await analyzeJson([good])
    assert.deepEqual(
      [report.summary.totalBytes, report.summary.finalBytes, report.summary.wastedBytes, report.summary.finalFiles],
      [11, 11, 0, 6],
    )
    const out = join(tmp.dir, 'flat-good.tar')
    const flat = await json(['flatten', good, '-o', out, '--verify', '-q'])
    assert.deepEqual([flat.after, flat.verified], [{layers: 1, bytes: 11}, 10])
    // the deleted t's content stays as keep's; tosym is the symlink it names; through shares dir/f
    const written = (await json(['files', out])).files.map((f: any) => [f.path, f.type, f.bytes, f.linkTarget])
    assert.deepEqual(written, [
      ['/sym', 'symlink', 0, 'a'],
      ['/tosym', 'symlink', 0, 'a'],
      ['/s', 'symlink', 0, '/dir'],
      ['/a', 'file', 4, null],
      ['/keep', 'file', 6, null],
      ['/dir/f', 'file', 1, null],
      ['/l1', 'hardlink', 0, '/a'],
      ['/l2', 'hardlink', 0, '/a'],
      ['/through', 'hardlink', 0, '/dir/f'],
    ])
  })
})
