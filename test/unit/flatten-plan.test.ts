// The plan of the squashed layer, checked entry by entry: its order, its sizes and, with --from, the whiteouts and
// opaque markers it writes. The mutation run over src/flatten (docs/reliability.md) found these unchecked by
// the in-process suites.
import assert from 'node:assert/strict'

import {planFlatten} from '../../src/flatten/plan.js'
import {verifyFlattened} from '../../src/flatten/verify.js'
import {imageOf} from '../helpers/model.js'

describe('flatten plan', () => {
  it('files in the order their bytes are read (layer, then offset), with the tar size known in advance', async () => {
    // layer 0 holds z (2 bytes) then c (3 bytes) at offsets 512 and 1536 (one header, one 512-byte block each);
    // layer 1 holds a (600 bytes). Paths in walk order would be a, c, z.
    const image = await imageOf([
      {
        members: [
          {path: 'z', content: 'zz'},
          {path: 'c', content: 'ccc'},
        ],
      },
      {members: [{path: 'a', content: 'a'.repeat(600)}]},
    ])
    const plan = planFlatten(image, 0)
    assert.deepEqual(
      plan.files.map((f) => [f.entry.path, f.layer, f.offset, f.entry.size]),
      [
        ['z', 0, 512, 2],
        ['c', 0, 1536, 3],
        ['a', 1, 512, 600],
      ],
    )
    // z and c: 512 + 512 each; a: 512 + 1024 (600 bytes round up to 2 blocks); 1024 end blocks: 4608
    assert.equal(plan.tarSize, 4608)
    assert.equal(plan.contentBytes, 605)
    assert.deepEqual(plan.meta, [])
    assert.deepEqual(plan.links, [])
  })

  it('--from writes a whiteout per path gone, an opaque marker per directory remade or made opaque', async () => {
    const image = await imageOf([
      {
        members: [
          {path: 'f', content: 'x'},
          {path: 'd/', type: 'dir'},
          {path: 'd/x', content: 'x'},
          {path: 'o/', type: 'dir'},
          {path: 'o/y', content: 'y'},
          {path: 'k/', type: 'dir'},
          {path: 'k/z', content: 'z'},
        ],
      },
      {
        members: [
          // f deleted; d made a file; o made opaque (its y gone); k kept, with a new file
          {path: '.wh.f', content: ''},
          {path: '.wh.d', content: ''},
          {path: 'd', content: 'now a file'},
          {path: 'o/', type: 'dir'},
          {path: 'o/.wh..wh..opq', content: ''},
          {path: 'k/n', content: 'n'},
        ],
      },
    ])
    const plan = planFlatten(image, 1)
    assert.deepEqual(
      plan.meta.map((e) => [e.path, e.kind, e.size]),
      // the markers first, in the base layers' order (f before d), then what layer 1 wrote: o itself (k is the
      // base's, d and k/n are files)
      [
        ['.wh.f', 'file', 0],
        ['.wh.d', 'file', 0],
        ['o/.wh..wh..opq', 'file', 0],
        ['o', 'dir', 0],
      ],
    )
    assert.deepEqual(
      plan.files.map((f) => [f.entry.path, f.layer]),
      [
        ['d', 1],
        ['k/n', 1],
      ],
    )
  })
})

describe('flatten --verify', () => {
  it('names at most `limit` differences', async () => {
    const source = await imageOf([{members: ['a', 'b', 'c', 'd', 'e', 'f'].map((path) => ({path, content: 'x'}))}])
    const written = await imageOf([{members: []}])
    assert.throws(() => verifyFlattened(source, written), {
      message:
        "--verify: the written image differs from the source's final filesystem: " +
        '/a is missing; /b is missing; /c is missing; /d is missing; /e is missing',
    })
    assert.throws(() => verifyFlattened(source, written, 1), {
      message: "--verify: the written image differs from the source's final filesystem: /a is missing",
    })
  })
})
