import assert from 'node:assert/strict'

import {diffImages} from '../../src/analysis/diff.js'
import type {Image} from '../../src/image/image.js'
import type {LayerSpec} from '../helpers/images.js'
import {imageOf} from '../helpers/model.js'

/** An image of these layers with these diff_ids (undefined: none, as a flat export has) and this config. */
async function image(layers: LayerSpec[], diffIds: Array<string | undefined>, config = {}): Promise<Image> {
  const generated = await imageOf(layers)
  return {
    ...generated,
    config: {...generated.config, config},
    layers: generated.layers.map((layer, i) => ({...layer, diffId: diffIds[i]})),
  }
}

const BASE: LayerSpec = {
  members: [
    {path: 'keep', content: 'k'.repeat(10)},
    {path: 'type', content: 'x'.repeat(5)},
    {path: 'size', content: 'x'.repeat(5)},
    {path: 'mode', content: 'xxx'},
    {path: 'uid', content: 'xx'},
    {path: 'gid', content: 'xx'},
    {path: 'link', type: 'symlink', linkpath: 'a'},
    {path: 'content', content: 'aaaa'},
    {path: 'gone', content: 'g'.repeat(7)},
    {path: 'd1/d2/d3/deep', content: 'x'.repeat(20)},
  ],
}
const A_TOP: LayerSpec = {members: [{path: 'x/f', content: 'x'.repeat(10)}]}
const B_TOP: LayerSpec = {
  members: [
    {path: 'type/', type: 'dir'},
    {path: 'size', content: 'x'.repeat(6)},
    {path: 'mode', content: 'xxx', mode: 0o600},
    {path: 'uid', content: 'xx', uid: 1},
    {path: 'gid', content: 'xx', gid: 1},
    {path: 'link', type: 'symlink', linkpath: 'b'},
    {path: 'content', content: 'bbbb'},
    {path: '.wh.gone'},
    {path: 'new', content: 'nnnn'},
    {path: 'd1/d2/d3/deep', content: 'x'.repeat(25)},
    {path: 'w/f', content: 'w'.repeat(10)},
  ],
}

/** The two images, with the digests a hashing reader would give `content`'s two versions and the file `type`. */
async function pair(): Promise<[Image, Image]> {
  const a = await image([BASE, A_TOP], ['sha256:base', 'sha256:a1'], {
    Env: ['A=1'],
    Labels: {},
    User: '',
    WorkingDir: '/a',
    Entrypoint: ['x'],
  })
  const b = await image([BASE, B_TOP], ['sha256:base', 'sha256:b1'], {
    Env: ['A=1'],
    Cmd: [],
    WorkingDir: '/b',
    ExposedPorts: {'80/tcp': {}},
    StopSignal: null,
  })
  for (const [img, digest] of [
    [a, 'sha256:aaaa'],
    [b, 'sha256:bbbb'],
  ] as const) {
    for (const layer of img.layers)
      for (const entry of layer.contents.entries) {
        if (entry.path === 'content') entry.digest = digest
        if (entry.path === 'type') entry.digest = 'sha256:77'
      }
  }
  return [a, b]
}

const files = (report: ReturnType<typeof diffImages>) =>
  report.files.map((f) => `${f.change} ${f.path} ${f.fields.join(',')}`.trim())
const directories = (report: ReturnType<typeof diffImages>) =>
  report.directories.map((d) => [d.path, d.before, d.after, d.delta])

describe('diff: two images compared by the library', () => {
  it('names each field that changed, what was added and removed, by path', async () => {
    const [a, b] = await pair()
    const report = diffImages(a, b)
    // sorted by path, whatever the change
    assert.deepEqual(files(report), [
      'changed /d1/d2/d3/deep bytes',
      'changed /gid owner',
      'removed /gone',
      'changed /link linkTarget',
      'changed /mode mode',
      'added /new',
      'changed /size bytes',
      // file → directory: the type, the bytes (5 → 0) and the mode (0644 → 0755)
      'changed /type type,bytes,mode',
      'changed /uid owner',
      // B's paths come after A's in the comparison, so w (added) has to be sorted in before x
      'added /w',
      'added /w/f',
      'removed /x',
      'removed /x/f',
    ])
    const type = report.files.find((f) => f.path === '/type')!
    assert.deepEqual(
      [type.before, type.after],
      [
        {type: 'file', bytes: 5, mode: '0644', uid: 0, gid: 0, linkTarget: null, digest: 'sha256:77'},
        {type: 'dir', bytes: 0, mode: '0755', uid: 0, gid: 0, linkTarget: null},
      ],
    )
    const removed = report.files.find((f) => f.path === '/gone')!
    assert.deepEqual(
      [removed.before, removed.after],
      [{type: 'file', bytes: 7, mode: '0644', uid: 0, gid: 0, linkTarget: null}, null],
    )
    const added = report.files.find((f) => f.path === '/new')!
    assert.deepEqual(
      [added.before, added.after],
      [null, {type: 'file', bytes: 4, mode: '0644', uid: 0, gid: 0, linkTarget: null}],
    )
    // A's files: keep 10 + type 5 + size 5 + mode 3 + uid 2 + gid 2 + content 4 + gone 7 + deep 20 + x/f 10 = 68
    // B's: keep 10 + size 6 + mode 3 + uid 2 + gid 2 + content 4 + new 4 + deep 25 + w/f 10 = 66
    assert.deepEqual(report.summary, {added: 3, removed: 3, changed: 7, bytesA: 68, bytesB: 66, deltaBytes: -2})
    const side = {
      source: {kind: 'docker-archive', name: 'generated'},
      image: {id: null, repoTags: [], os: null, architecture: null, created: null},
    }
    assert.deepEqual([report.a, report.b], [side, side])
  })

  it('--content adds the files whose digests differ, and only those; without it, same-size files are the same', async () => {
    const [a, b] = await pair()
    const without = files(diffImages(a, b))
    // content's two versions have the same size: only their digests tell them apart
    assert.equal(without.filter((f) => f.includes(' content')).length, 0)
    const withContent = files(diffImages(a, b, {content: true}))
    // a file that became a directory keeps its own fields: a directory has no digest to compare
    assert.deepEqual(withContent, ['changed /content content', ...without])
  })

  it('directory deltas to depth 3 by default, largest change first, a tie by path; --depth cuts them', async () => {
    const [a, b] = await pair()
    // w: 0 → 10, x: 10 → 0 (a tie: w first, though only B has it), d1 and below 20 → 25, the root / 68 → 66
    assert.deepEqual(directories(diffImages(a, b)), [
      ['/w', 0, 10, 10],
      ['/x', 10, 0, -10],
      ['/d1', 20, 25, 5],
      ['/d1/d2', 20, 25, 5],
      ['/d1/d2/d3', 20, 25, 5],
      ['/', 68, 66, -2],
    ])
    assert.deepEqual(directories(diffImages(a, b, {depth: 1})), [
      ['/w', 0, 10, 10],
      ['/x', 10, 0, -10],
      ['/d1', 20, 25, 5],
      ['/', 68, 66, -2],
    ])
  })

  it('config keys that differ, in the order docker inspect lists them; empty and missing are the same', async () => {
    const [a, b] = await pair()
    // Env is equal; Cmd [] and missing, Labels {} and missing, User '' and missing, StopSignal null and missing
    assert.deepEqual(diffImages(a, b).config, [
      {key: 'Entrypoint', before: ['x'], after: null},
      {key: 'WorkingDir', before: '/a', after: '/b'},
      {key: 'ExposedPorts', before: null, after: {'80/tcp': {}}},
    ])
  })

  it('shared layers: the common base stops at the first layer that differs or has no diff_id', async () => {
    const [a, b] = await pair()
    assert.deepEqual(diffImages(a, b).sharedLayers, {
      digests: ['sha256:base'],
      commonBase: 1,
      layersA: 2,
      layersB: 2,
    })
    const same = diffImages(a, a)
    assert.deepEqual(same.sharedLayers, {digests: ['sha256:base', 'sha256:a1'], commonBase: 2, layersA: 2, layersB: 2})
    assert.deepEqual([same.files, same.directories, same.config], [[], [], []])
    // B's layers in another order: shared, but no common base
    const swapped = await image([A_TOP, BASE], ['sha256:a1', 'sha256:base'])
    assert.deepEqual(diffImages(a, swapped).sharedLayers, {
      digests: ['sha256:base', 'sha256:a1'],
      commonBase: 0,
      layersA: 2,
      layersB: 2,
    })
    // layers without diff_ids are neither shared nor a common base, even the same layers
    const bare = await image([BASE, A_TOP], [undefined, undefined])
    assert.deepEqual(diffImages(bare, bare).sharedLayers, {digests: [], commonBase: 0, layersA: 2, layersB: 2})
    // a shorter image: the common base ends with it
    const base = await image([BASE], ['sha256:base'])
    assert.deepEqual(diffImages(a, base).sharedLayers, {
      digests: ['sha256:base'],
      commonBase: 1,
      layersA: 2,
      layersB: 1,
    })
  })
})
