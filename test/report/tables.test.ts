import assert from 'node:assert/strict'

import {diffImages} from '../../src/analysis/diff.js'
import {filesTree} from '../../src/analysis/files.js'
import type {Image} from '../../src/image/image.js'
import {diffView} from '../../src/report/diff-table.js'
import {filesTreeView} from '../../src/report/files-tree.js'
import {render} from '../../src/report/render.js'
import type {LayerSpec} from '../helpers/images.js'
import {imageOf} from '../helpers/model.js'

/** One-layer images with no diff_ids (so no layer is shared) and this Env. */
async function image(layers: LayerSpec[], env: string[]): Promise<Image> {
  const generated = await imageOf(layers)
  return {
    ...generated,
    config: {...generated.config, config: {Env: env}},
    layers: generated.layers.map((layer) => ({...layer, diffId: undefined})),
  }
}

describe('tables no other test renders as tables', () => {
  it("diff's table: the summary, then files, directories and config", async () => {
    const a = await image(
      [
        {
          members: [
            {path: 'a', content: 'a'.repeat(10)},
            {path: 'd/x', content: 'x'.repeat(5)},
          ],
        },
      ],
      ['A=1'],
    )
    const b = await image(
      [
        {
          members: [
            {path: 'a', content: 'a'.repeat(12)},
            {path: 'd/y', content: 'y'.repeat(7)},
          ],
        },
      ],
      ['A=2'],
    )
    // A holds 10 + 5 = 15 B, B 12 + 7 = 19 B: /a grew by 2, /d/x went, /d/y came; / +4, /d 5 -> 7; Env differs
    assert.equal(
      render('table', diffView(diffImages(a, b, {depth: 2}), ['a.tar', 'b.tar'])),
      'A: a.tar (1 layer)\nB: b.tar (1 layer)\nShared layers: none\n' +
        'Final filesystem: 15B -> 19B (+4B); 1 added, 1 removed, 1 changed\n\n' +
        '    PATH   A              B              WHAT\n' +
        '~   /a     10B 0644 0:0   12B 0644 0:0   bytes\n' +
        '-   /d/x   5B 0644 0:0    -\n' +
        '+   /d/y   -              7B 0644 0:0\n\n' +
        'DELTA     A     B   DIRECTORY\n' +
        '  +4B   15B   19B   /\n' +
        '  +2B    5B    7B   /d\n\n' +
        'CONFIG   A         B\n' +
        'Env      ["A=1"]   ["A=2"]\n',
    )
  })

  it("files --tree's table: the final filesystem (all) and one layer's own", async () => {
    const image = await imageOf([
      {
        members: [
          {path: 'a', content: 'a'.repeat(10)},
          {path: 'd/x', content: 'x'.repeat(5)},
        ],
      },
      {members: [{path: 'd/y', content: 'y'.repeat(2000)}]},
    ])
    // final: / holds 10 + 5 + 2,000 = 2,015 B in 3 files (2.02kB, three significant digits), /d 2,005 B in 2 (2kB)
    assert.equal(
      render('table', filesTreeView(filesTree(image, {}, {final: true, depth: 2}))),
      'LAYER      SIZE    FILES  DIRECTORY\n  all    2.02kB        3  /\n  all       2kB        2  /d\n',
    )
    // layer 1 adds only d/y: 2,000 B in 1 file under / and /d
    assert.equal(
      render('table', filesTreeView(filesTree(image, {layer: '1'}, {final: false, depth: 2}))),
      'LAYER      SIZE    FILES  DIRECTORY\n    1       2kB        1  /\n    1       2kB        1  /d\n',
    )
  })
})
