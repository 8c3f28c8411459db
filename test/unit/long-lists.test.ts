import assert from 'node:assert/strict'

import {planFlatten} from '../../src/flatten/plan.js'
import type {Image} from '../../src/image/image.js'
import {LayerContentsBuilder} from '../../src/model/entry.js'
import {renderTemplate} from '../../src/report/template.js'

const COUNT = 200_000

/** A layer of empty files, built without a tar: `COUNT` headers would be 150 MB. */
function layerOf(paths: string[]) {
  const builder = new LayerContentsBuilder('generated')
  for (const [index, path] of paths.entries())
    builder.add({
      path,
      type: 'file',
      size: 0,
      mode: 0o644,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      mtime: 0,
      linkpath: '',
      devmajor: 0,
      devminor: 0,
      dataOffset: 512 * (index + 1),
    })
  return builder.contents
}

// Lists passed as spread arguments (`push(...list)`, `Math.max(...list)`) overflowed the stack from about
// 120,000 items, with a RangeError that reached the user.
describe(`lists of ${COUNT.toLocaleString('en')} items`, function () {
  this.timeout(120_000)

  it('a table template aligns that many rows', () => {
    const rows = Array.from({length: COUNT}, (_, index) => ({path: `p${index}`, size: index}))
    const lines = renderTemplate('table {{.Path}}\\t{{.Size}}', rows).split('\n')
    assert.deepEqual(
      [lines.length, lines[0], lines[1], lines.at(-2)],
      [COUNT + 2, 'PATH      SIZE', 'p0        0', `p${COUNT - 1}   ${COUNT - 1}`],
    )
  })

  it('flatten --from whites out that many paths', () => {
    const names = Array.from({length: COUNT}, (_, index) => `f${index}`)
    const image: Image = {
      source: {kind: 'docker-archive', name: 'generated'},
      repoTags: [],
      config: {},
      layers: [layerOf(names), layerOf(names.map((name) => `.wh.${name}`))].map((contents, index) => ({
        index,
        contents,
      })),
      notes: [],
      close: async () => {},
    }
    const plan = planFlatten(image, 1)
    assert.deepEqual(
      [plan.meta.length, plan.meta[0].path, plan.meta.at(-1)!.path, plan.files.length],
      [COUNT, '.wh.f0', `.wh.f${COUNT - 1}`, 0],
    )
  })
})
