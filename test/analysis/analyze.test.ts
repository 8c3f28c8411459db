import assert from 'node:assert/strict'

import {analyzeImage, metadataReport} from '../../src/analysis/analyze.js'
import type {MetadataImage} from '../../src/image/metadata.js'
import {imageOf} from '../helpers/model.js'

const CONTENT_FIGURES = [
  'layers.entries',
  'layers.added',
  'layers.modified',
  'layers.removed',
  'layers.removedBytes',
  'layers.wastedBytes',
  'summary.finalBytes',
  'summary.finalFiles',
  'summary.wastedBytes',
  'summary.wastedFiles',
  'summary.wastedPercent',
  'summary.dive',
  'topWasted',
  'advice',
]

function meta(layers: MetadataImage['layers']): MetadataImage {
  return {
    source: {kind: 'metadata', name: 'app:1'},
    id: 'sha256:1d',
    repoTags: ['app:1'],
    os: 'linux',
    architecture: 'arm64',
    created: '2026-01-01T00:00:00Z',
    size: 999,
    layers,
    approximate: true,
  }
}

describe('analyze in process: metadata-only reports and the largest wasted paths', () => {
  it('metadata: layer sizes add up to totalBytes when every layer has one; else the image size, said so', () => {
    const sized = metadataReport(
      meta([
        {digest: 'sha256:a', createdBy: 'ADD x', created: '2026-01-01T00:00:00Z', bytes: 100},
        {digest: null, createdBy: null, created: null, bytes: 23},
      ]),
    )
    const nulls = {entries: null, added: null, modified: null, removed: null, removedBytes: null, wastedBytes: null}
    assert.deepEqual(sized, {
      schemaVersion: sized.schemaVersion,
      source: {kind: 'metadata', name: 'app:1'},
      image: {
        id: 'sha256:1d',
        repoTags: ['app:1'],
        os: 'linux',
        architecture: 'arm64',
        created: '2026-01-01T00:00:00Z',
      },
      summary: {
        layers: 2,
        totalBytes: 123,
        finalBytes: null,
        finalFiles: null,
        wastedBytes: null,
        wastedFiles: null,
        wastedPercent: null,
        dive: null,
      },
      layers: [
        {index: 0, digest: 'sha256:a', createdBy: 'ADD x', created: '2026-01-01T00:00:00Z', bytes: 100, ...nulls},
        {index: 1, digest: null, createdBy: null, created: null, bytes: 23, ...nulls},
      ],
      topWasted: [],
      advice: [],
      unavailable: CONTENT_FIGURES,
      approximate: true,
    })
    const unsized = metadataReport(meta([{digest: null, createdBy: null, created: null, bytes: null}]))
    assert.deepEqual([unsized.summary.totalBytes, unsized.unavailable], [999, ['layers.bytes', ...CONTENT_FIGURES]])
    // no layers at all: the image size, and layer sizes are not missing
    const none = metadataReport(meta([]))
    assert.deepEqual([none.summary.totalBytes, none.unavailable], [999, CONTENT_FIGURES])
  })

  it(
    'topWasted: largest first, then lower layer, then path, absolute; cut at top (wastedFiles counts all); ' +
      'each layer its diff_id or null',
    async () => {
      const generated = await imageOf([
        {
          members: [
            {path: 'c', size: 10},
            {path: 'b', size: 10},
          ],
        },
        {
          members: [
            {path: 'big', size: 30},
            {path: 'a', size: 10},
          ],
        },
        {members: [{path: '.wh.a'}, {path: '.wh.b'}, {path: '.wh.c'}, {path: '.wh.big'}]},
      ])
      const image = {
        ...generated,
        layers: generated.layers.map((l, i) => ({...l, diffId: i === 1 ? 'sha256:1' : undefined})),
      }
      const rows = (top: number) => analyzeImage(image, top).topWasted.map((w) => `${w.path} ${w.bytes} ${w.layer}`)
      assert.deepEqual(rows(10), ['/big 30 1', '/b 10 0', '/c 10 0', '/a 10 1'])
      assert.deepEqual(rows(2), ['/big 30 1', '/b 10 0'])
      assert.equal(analyzeImage(image, 2).summary.wastedFiles, 4)
      assert.deepEqual(
        analyzeImage(image).layers.map((l) => l.digest),
        [null, 'sha256:1', null],
      )
    },
  )
})
