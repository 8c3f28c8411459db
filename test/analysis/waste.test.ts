import assert from 'node:assert/strict'

import {analyzeImage} from '../../src/analysis/analyze.js'
import {findWaste} from '../../src/analysis/waste.js'
import type {Image} from '../../src/image/image.js'
import {imageOf} from '../helpers/model.js'

/** Digests a hashing reader would give, set by layer and path (the test chooses which contents are equal). */
const DIGESTS: Record<string, string> = {
  '0 e': 'sha256:aa',
  '0 a': 'sha256:aa',
  '2 f': 'sha256:aa',
  '0 keep': 'sha256:dd',
  '1 keep2': 'sha256:dd',
  '2 p': 'sha256:cc',
  '2 q': 'sha256:cc',
  '0 big': 'sha256:ee',
  '0 z0': 'sha256:00',
  '2 z1': 'sha256:00',
}

/** Three layers, the third with no history entry; members in an order that their sorting has to change. */
async function image(): Promise<Image> {
  const generated = await imageOf([
    {
      createdBy: 'ADD base',
      members: [
        {path: 'b', size: 50},
        {path: 'e', size: 50},
        {path: 'big', size: 100},
        {path: 'a', size: 50},
        {path: 'keep', size: 5},
        {path: 'z0', size: 0},
      ],
    },
    {
      createdBy: 'RUN edit',
      members: [
        {path: '.wh.e'},
        {path: '.wh.a'},
        {path: 'big', size: 30},
        {path: 'c', size: 20},
        {path: 'keep2', size: 5},
      ],
    },
    {
      members: [
        {path: '.wh.c'},
        {path: '.wh.b'},
        {path: 'f', size: 50},
        {path: 'p', size: 5},
        {path: 'q', size: 5},
        {path: 'z1', size: 0},
      ],
    },
  ])
  for (const layer of generated.layers)
    for (const entry of layer.contents.entries) entry.digest = DIGESTS[`${layer.index} ${entry.path}`]
  return {...generated, config: {history: [{created_by: 'ADD base'}, {created_by: 'RUN edit'}]}}
}

describe('waste: the stored bytes the final filesystem never shows', () => {
  it('a record per hidden content, by layer, then the layer that hid it, then bytes, then path', async () => {
    const report = findWaste(await image())
    const deleted = (path: string, bytes: number, layer: number, hiddenBy: number) => ({
      path,
      bytes,
      layer,
      createdBy: ['ADD base', 'RUN edit'][layer] ?? null,
      hiddenBy,
      hiddenByCreatedBy: ['ADD base', 'RUN edit'][hiddenBy] ?? null,
      how: 'deleted',
    })
    assert.deepEqual(report.waste, [
      {...deleted('/big', 100, 0, 1), how: 'overwritten'},
      deleted('/a', 50, 0, 1),
      deleted('/e', 50, 0, 1),
      // layer 2 has no history entry: its command is null
      deleted('/b', 50, 0, 2),
      deleted('/c', 20, 1, 2),
    ])
    // 100 + 50 + 50 + 50 + 20
    assert.equal(report.wastedBytes, 270)
    assert.equal('duplicates' in report, false)
  })

  it('--duplicates: equal digests stored more than once, costliest first, a tie by digest', async () => {
    const report = findWaste(await image(), {duplicates: true})
    // aa: e and a (hidden) and f, 50 bytes, 2 extra copies = 100; cc: p and q, 5; dd: keep and keep2, 5.
    // ee (big) is stored once; 00 (z0, z1) is empty and not counted
    assert.deepEqual(report.duplicates, [
      {
        digest: 'sha256:aa',
        bytes: 50,
        copies: [
          {path: '/e', layer: 0, visible: false},
          {path: '/a', layer: 0, visible: false},
          {path: '/f', layer: 2, visible: true},
        ],
        costBytes: 100,
      },
      {
        digest: 'sha256:cc',
        bytes: 5,
        copies: [
          {path: '/p', layer: 2, visible: true},
          {path: '/q', layer: 2, visible: true},
        ],
        costBytes: 5,
      },
      {
        digest: 'sha256:dd',
        bytes: 5,
        copies: [
          {path: '/keep', layer: 0, visible: true},
          {path: '/keep2', layer: 1, visible: true},
        ],
        costBytes: 5,
      },
    ])
  })
})

describe('waste: duplicate groups of equal cost', () => {
  it('come in digest order whichever the layers stored first; analyze reports them with --duplicates only', async () => {
    const generated = await imageOf([
      {members: [{path: 'x1', size: 5}]},
      {
        members: [
          {path: 'x2', size: 5},
          {path: 'y1', size: 5},
          {path: 'y2', size: 5},
        ],
      },
    ])
    // x1, x2 share sha256:11 and y1, y2 sha256:22: 5 bytes beyond the first copy each, a tie; 11 was stored first
    const digests: Record<string, string> = {x1: 'sha256:11', x2: 'sha256:11', y1: 'sha256:22', y2: 'sha256:22'}
    for (const layer of generated.layers) for (const entry of layer.contents.entries) entry.digest = digests[entry.path]
    const group = (digest: string, paths: string[], layers: number[]) => ({
      digest,
      bytes: 5,
      copies: paths.map((path, i) => ({path: `/${path}`, layer: layers[i], visible: true})),
      costBytes: 5,
    })
    const expected = [group('sha256:11', ['x1', 'x2'], [0, 1]), group('sha256:22', ['y1', 'y2'], [1, 1])]
    assert.deepEqual(findWaste(generated, {duplicates: true}).duplicates, expected)
    assert.deepEqual(analyzeImage(generated, 10, {duplicates: true}).duplicates, expected)
    assert.equal('duplicates' in analyzeImage(generated, 10), false)
  })
})

describe('waste: a rewrite that kept the bytes (chmod, chown) is metadata-only', () => {
  it('with digests the digest decides; without, the size and the mtime', async () => {
    const generated = await imageOf([
      {
        members: [
          {path: 'm', size: 10, mtime: 1000},
          {path: 'n', size: 10, mtime: 1000},
          {path: 'o', size: 10, mtime: 1000},
          {path: 'p', size: 10, mtime: 1000},
        ],
      },
      {
        members: [
          {path: 'm', size: 10, mtime: 2000},
          {path: 'n', size: 10, mtime: 1000},
          {path: 'o', size: 10, mtime: 2000},
          {path: 'p', size: 10, mtime: 1000},
        ],
      },
    ])
    // m: the same digest, another mtime; n: the same size and mtime, another digest; o and p: no digests
    const digests: Record<string, string> = {'0 m': 'sha256:1', '1 m': 'sha256:1', '0 n': 'sha256:2', '1 n': 'sha256:3'}
    for (const layer of generated.layers)
      for (const entry of layer.contents.entries) entry.digest = digests[`${layer.index} ${entry.path}`]
    assert.deepEqual(
      findWaste(generated).waste.map((w) => `${w.path} ${w.how}`),
      ['/m metadata-only', '/n overwritten', '/o overwritten', '/p metadata-only'],
    )
  })
})
