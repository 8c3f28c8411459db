import assert from 'node:assert/strict'

import {analyzeLayers} from '../helpers/model.js'

describe("dive's figures, computed by hand from dive's rules", () => {
  it('leaves of each layer, whiteouts weighing what they hid, paths seen twice or more as inefficient', async () => {
    const report = await analyzeLayers([
      {
        members: [
          {path: 'a', size: 100},
          {path: 'd/', type: 'dir'},
          {path: 'd/x', size: 30},
          {path: 'd/y', size: 20},
          {path: 'e/', type: 'dir'},
          {path: 'f', size: 10},
        ],
      },
      {
        members: [
          {path: 'a', size: 40},
          {path: '.wh.d'},
          {path: '.wh.f'},
          {path: 'g/', type: 'dir'},
          {path: 'g/.wh..wh..opq'},
        ],
      },
      {
        members: [
          {path: 'a', size: 30},
          {path: 'e/', type: 'dir'},
        ],
      },
    ])
    // layer 0's leaves: a 100, d/x 30, d/y 20, e 0, f 10 (d is a parent, not a leaf)
    // layer 1's: a 40, d 50 (a directory's whiteout weighs the subtree it hid), f 0 (a file's weighs 0), g 0
    //   (its opaque marker is no path)
    // layer 2's: a 30, e 0
    // seen twice or more: a 100+40+30 = 170 (smallest 30), e 0+0, f 10+0 (smallest 0): inefficient 180 bytes
    // smallest of every path: a 30 + d/x 30 + d/y 20 + e 0 + f 0 + d 50 + g 0 = 130; all of them: 280
    // user bytes, the layers above the first: 40 + 30 = 70, so userWastedPercent 180 / 70
    assert.deepEqual(report.summary.dive, {efficiency: 130 / 280, inefficientBytes: 180, userWastedPercent: 180 / 70})
  })

  it('an image of one layer is efficient and wastes nothing; an empty image too', async () => {
    const one = await analyzeLayers([{members: [{path: 'a', size: 7}]}])
    assert.deepEqual(one.summary.dive, {efficiency: 1, inefficientBytes: 0, userWastedPercent: 0})
    const empty = await analyzeLayers([{members: []}, {members: []}])
    assert.deepEqual(empty.summary.dive, {efficiency: 1, inefficientBytes: 0, userWastedPercent: 0})
  })

  it('a path seen in a lower layer at 0 bytes and rewritten: efficiency counts its smallest size', async () => {
    // a: 0 then 60 (smallest 0, all 60); b: 40 once. efficiency (0 + 40) / (60 + 40); userBytes 60
    const report = await analyzeLayers([
      {
        members: [
          {path: 'a', size: 0},
          {path: 'b', size: 40},
        ],
      },
      {members: [{path: 'a', size: 60}]},
    ])
    assert.deepEqual(report.summary.dive, {efficiency: 0.4, inefficientBytes: 60, userWastedPercent: 1})
  })
})
