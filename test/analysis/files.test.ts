import assert from 'node:assert/strict'

import {filesList, filesTree, layerIndex, parseFileFilter} from '../../src/analysis/files.js'
import {InputError} from '../../src/errors.js'
import type {Image} from '../../src/image/image.js'
import {imageOf} from '../helpers/model.js'

const DIGESTS = ['sha256:aaaa1111', 'sha256:aaaa2222', 'sha256:bbbb3333']

/** Three layers: a base, an app layer, and one that deletes and overwrites. */
async function image(): Promise<Image> {
  const generated = await imageOf([
    {
      members: [
        {path: 'etc/', type: 'dir'},
        {path: 'etc/passwd', content: 'p'.repeat(300)},
        {path: 'bin/sh', content: 's'.repeat(5000), mode: 0o755},
      ],
    },
    {
      members: [
        {path: 'app/', type: 'dir'},
        {path: 'app/main.js', content: 'm'.repeat(2000), uid: 1000, gid: 1000},
      ],
    },
    {members: [{path: 'etc/.wh.passwd'}, {path: 'app/main.js', content: 'M'.repeat(10)}, {path: 'app/z', content: ''}]},
  ])
  return {...generated, layers: generated.layers.map((layer, i) => ({...layer, diffId: DIGESTS[i]}))}
}

const rows = (layers: Iterable<Array<{layer: number; change: string; path: string; bytes: number}>>) =>
  [...layers].map((changes) => changes.map((c) => `${c.layer} ${c.change} ${c.path} ${c.bytes}`))

describe('files: the filter, the streamed list and the tree, built by the library', () => {
  it('parseFileFilter reads the flags as given, and names the flag of a bad one', () => {
    assert.deepEqual(parseFileFilter({changes: 'a, d', minSize: '1kB', path: '/etc/**', sort: 'size', layer: '2'}), {
      layer: '2',
      changes: ['A', 'D'],
      minSize: 1000,
      path: '/etc/**',
      sort: 'size',
    })
    assert.deepEqual(parseFileFilter({}), {
      layer: undefined,
      changes: undefined,
      minSize: 0,
      path: undefined,
      sort: undefined,
    })
    const message = (options: Parameters<typeof parseFileFilter>[0]) => {
      try {
        parseFileFilter(options)
      } catch (error) {
        assert.ok(error instanceof InputError)
        return error.message
      }
    }
    assert.equal(message({changes: 'A,X'}), '--changes A,X: expected letters among A, M, D')
    assert.equal(message({minSize: 'huge'}), '--min-size huge: expected a size such as 1MB')
  })

  it('layerIndex: an index, or a unique prefix of a diff_id with or without sha256:', async () => {
    const img = await image()
    assert.deepEqual(
      ['1', 'bbbb', 'sha256:aaaa1'].map((wanted) => layerIndex(img, wanted)),
      [1, 2, 0],
    )
    for (const [wanted, message] of [
      ['3', '--layer 3: the image has 3 layers (0-2)'],
      ['aaaa', '--layer aaaa: several layers match that prefix'],
      ['cccc', '--layer cccc: no layer has that digest'],
    ])
      assert.throws(() => layerIndex(img, wanted), {name: 'InputError', message})
  })

  it('filesList: the report without its files, then each layer as the filter keeps and orders it', async () => {
    const img = await image()
    const all = filesList(img, parseFileFilter({}))
    assert.deepEqual(all.head, {
      schemaVersion: 2,
      source: {kind: 'docker-archive', name: 'generated'},
      image: {id: null, repoTags: [], os: null, architecture: null, created: null},
    })
    assert.deepEqual(rows(all.layers), [
      ['0 A /etc 0', '0 A /etc/passwd 300', '0 A /bin/sh 5000'],
      ['1 A /app 0', '1 A /app/main.js 2000'],
      ['2 D /etc/passwd 300', '2 M /app/main.js 10', '2 A /app/z 0'],
    ])
    const bySize = filesList(img, parseFileFilter({sort: 'size', minSize: '10B', changes: 'A,M'}))
    assert.deepEqual(rows(bySize.layers), [
      ['0 A /bin/sh 5000', '0 A /etc/passwd 300'],
      ['1 A /app/main.js 2000'],
      ['2 M /app/main.js 10'],
    ])
    const oneLayer = filesList(img, parseFileFilter({layer: '2', path: '/app/*', sort: 'path'}))
    assert.deepEqual(rows(oneLayer.layers), [['2 M /app/main.js 10', '2 A /app/z 0']])
  })

  it('filesTree: bytes and files by directory per layer, or for the final filesystem', async () => {
    const img = await image()
    const tree = (filter: Parameters<typeof parseFileFilter>[0], options: {final: boolean; depth: number}) =>
      filesTree(img, parseFileFilter(filter), options).tree.map((r) => `${r.layer} ${r.path} ${r.bytes} ${r.files}`)
    assert.deepEqual(tree({}, {final: false, depth: 1}), [
      '0 / 5300 2',
      '0 /bin 5000 1',
      '0 /etc 300 1',
      '1 / 2000 1',
      '1 /app 2000 1',
      '2 / 10 2',
      '2 /app 10 2',
    ])
    assert.deepEqual(tree({}, {final: true, depth: 0}), ['null / 5010 3'])
    assert.deepEqual(tree({layer: '0', path: 'bin/**'}, {final: false, depth: 3}), ['0 / 5000 1', '0 /bin 5000 1'])
    const report = filesTree(img, parseFileFilter({}), {final: true, depth: 0})
    assert.deepEqual(Object.keys(report), ['schemaVersion', 'source', 'image', 'tree'])
  })

  it('sorts, globs with dotfiles and extra slashes, and skips empty layers and layers without a diff_id', async () => {
    const generated = await imageOf([
      {
        members: [
          {path: 'app/z.js', size: 40},
          {path: 'app/.env', size: 40},
          {path: 'app/a.js', size: 40},
          {path: 'app/m.js', size: 90},
        ],
      },
      {members: []},
      {
        members: [{path: 'app/.wh..wh..opq'}, {path: 'app/a.js', size: 5}, {path: 'lib/x', size: 40}],
      },
    ])
    // layer 1 (empty) has no diff_id, as a layer read from an engine without one
    const diffIds = ['sha256:1b2c', undefined, 'sha256:cc00']
    const img: Image = {...generated, layers: generated.layers.map((layer, i) => ({...layer, diffId: diffIds[i]}))}
    assert.deepEqual(
      ['1b', '12', 'dd'].map((wanted) => {
        try {
          return layerIndex(img, wanted)
        } catch (error) {
          return (error as Error).message
        }
      }),
      // '1b' is a digest prefix even though it starts with a digit; '12', all digits, is an index
      [0, '--layer 12: the image has 3 layers (0-2)', '--layer dd: no layer has that digest'],
    )
    // the opaque directory hides layer 0's files; app/a.js, written again, is M (it existed below and still does),
    // the three others are D with the bytes they held
    const list = (filter: Parameters<typeof parseFileFilter>[0]) => rows(filesList(img, parseFileFilter(filter)).layers)
    assert.deepEqual(list({sort: 'size', path: '//app/*'}), [
      ['0 A /app/m.js 90', '0 A /app/.env 40', '0 A /app/a.js 40', '0 A /app/z.js 40'],
      [],
      ['2 D /app/m.js 90', '2 D /app/.env 40', '2 D /app/z.js 40', '2 M /app/a.js 5'],
    ])
    assert.deepEqual(list({sort: 'path', layer: '2'}), [
      ['2 D /app/.env 40', '2 M /app/a.js 5', '2 D /app/m.js 90', '2 D /app/z.js 40', '2 A /lib/x 40'],
    ])
    // the final filesystem: app/a.js 5 and lib/x 40; the glob keeps app/a.js
    const tree = filesTree(img, parseFileFilter({path: 'app/**'}), {final: true, depth: 1}).tree
    assert.deepEqual(
      tree.map((r) => `${r.layer} ${r.path} ${r.bytes} ${r.files}`),
      ['null / 5 1', 'null /app 5 1'],
    )
  })
})
