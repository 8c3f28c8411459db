import assert from 'node:assert/strict'

import {analyzeImage} from '../../src/analysis/analyze.js'
import {layerChanges} from '../../src/analysis/files.js'
import {finalSnapshot} from '../../src/analysis/final-fs.js'
import {findWaste} from '../../src/analysis/waste.js'
import type {Image} from '../../src/image/image.js'
import {renderPage} from '../../src/report/html/page.js'
import {type PageData, pageData, type TreeNode, TREE_BUDGET} from '../../src/report/html/page-data.js'
import type {LayerSpec} from '../helpers/images.js'
import {imageOf} from '../helpers/model.js'

/** The page's data for generated layers, from the analysis results as analyze hands them over. */
async function dataOf(layers: LayerSpec[]): Promise<PageData> {
  const image: Image = await imageOf(layers)
  return pageData({
    report: analyzeImage(image, 10),
    waste: findWaste(image),
    changes: [...layerChanges(image)],
    finalFiles: finalSnapshot(image).files,
    check: null,
  })
}

/** The fold nodes of a tree. */
function folds(node: TreeNode): TreeNode[] {
  if (typeof node[0] === 'number') return [node]
  return Array.isArray(node[1]) ? node[1].flatMap(folds) : []
}

/** The bytes a tree node stands for. */
function bytesOf(node: TreeNode): number {
  if (typeof node[0] === 'number') return node[1] as number
  return Array.isArray(node[1]) ? node[1].reduce((sum, child) => sum + bytesOf(child), 0) : node[1]
}

describe('the HTML page data: trees as nested arrays, small entries folded above a size budget', () => {
  it('a small image: the final files with the layer that wrote each, each layer’s changes, waste by layer pair', async () => {
    const data = await dataOf([
      {
        createdBy: 'ADD base',
        // bin/ written as a directory entry; etc/ implied by its file
        members: [
          {path: 'bin', type: 'dir'},
          {path: 'bin/sh', size: 100},
          {path: 'etc/passwd', size: 10},
        ],
      },
      {
        createdBy: 'RUN edit',
        members: [
          {path: 'etc/passwd', size: 12},
          {path: 'tmp/a', size: 7},
        ],
      },
      {createdBy: 'RUN rm', members: [{path: 'tmp/.wh.a'}]},
    ])
    assert.deepEqual(data.final, [
      '',
      [
        ['bin', [['sh', 100, 0]]],
        ['etc', [['passwd', 12, 1]]],
      ],
    ])
    assert.deepEqual(data.changes, [
      [
        '',
        [
          ['bin', [['sh', 100, 'A']], 'A'],
          ['etc', [['passwd', 10, 'A']]],
        ],
      ],
      [
        '',
        [
          ['etc', [['passwd', 12, 'M']]],
          ['tmp', [['a', 7, 'A']]],
        ],
      ],
      ['', [['tmp', [['a', 7, 'D']]]]],
    ])
    assert.deepEqual(data.waste, [
      {
        layer: 0,
        hiddenBy: 1,
        bytes: 10,
        files: 1,
        how: {overwritten: 10},
        paths: [{path: '/etc/passwd', bytes: 10, how: 'overwritten'}],
      },
      {
        layer: 1,
        hiddenBy: 2,
        bytes: 7,
        files: 1,
        how: {deleted: 7},
        paths: [{path: '/tmp/a', bytes: 7, how: 'deleted'}],
      },
    ])
    assert.deepEqual(data.foldedBelow, {final: null, changes: null})
    assert.deepEqual([data.duplicates, data.check], [null, null])
  })

  it('a command or a path cannot end the data’s script element: < is escaped in the JSON', async () => {
    const command = 'RUN echo "</script><script>alert(1)</script>" > x'
    const data = await dataOf([{createdBy: command, members: [{path: 'x<!--<script>', size: 3}]}])
    const page = renderPage(data)
    // the data's script element and the code's: no other element ends, none begins in a comment
    assert.equal(page.split('</script>').length - 1, 2)
    assert.equal(page.includes('<!--'), false)
    const start = page.indexOf('<script type="application/json" id="page-data">')
    const json = page.slice(page.indexOf('>', start) + 1, page.indexOf('</script>', start))
    assert.equal(json.includes('"RUN echo \\"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\\" > x"'), true)
    const parsed = JSON.parse(json) as PageData
    assert.equal(parsed.report.layers[0].createdBy, command)
    assert.deepEqual(parsed.final, ['', [['x<!--<script>', 3, 0]]])
  })

  it('60,000 files: the smallest fold into one node per directory, the tree fits its budget and keeps every byte', async function () {
    this.timeout(120_000)
    const members = []
    for (let file = 0; file < 60_000; file++)
      members.push({path: `srv/d${file % 200}/file-with-a-long-name-${file}.dat`, size: (file * 7) % 1000})
    const data = await dataOf([{members}])
    const total = members.reduce((sum, member) => sum + member.size, 0)
    assert.equal(JSON.stringify(data.final).length <= TREE_BUDGET, true, `${JSON.stringify(data.final).length}`)
    assert.deepEqual(data.foldedBelow, {final: 574, changes: 574})
    assert.equal(bytesOf(data.final), total)
    // one fold per directory: of srv/d0's 300 files, the 180 of 0, 200 or 400 bytes (at most 574), and their layer
    assert.deepEqual(folds(data.final).length, 200)
    assert.deepEqual(folds(data.final)[0], [180, 36_000, 0])
    assert.equal(bytesOf(data.changes[0]), total)
  })
})
