import assert from 'node:assert/strict'

import {ReadProgress} from '../../src/image/progress.js'
import {progressLine} from '../../src/report/progress-bar.js'

describe('the progress line', () => {
  it('counts layers from 1: the layer being read, never past the last', () => {
    const progress = new ReadProgress()
    progress.expect(4000, 3)
    assert.equal(progressLine(progress, 'reading app.tar', 2), 'reading app.tar  0B / 4kB  layer 1/3  0B/s')
    progress.layerDone(1000)
    progress.layerDone(1000)
    assert.equal(progressLine(progress, 'reading app.tar', 2), 'reading app.tar  2kB / 4kB  layer 3/3  1kB/s  ETA 2s')
    progress.layerDone(2000)
    assert.equal(progressLine(progress, 'reading app.tar', 4), 'reading app.tar  4kB / 4kB  layer 3/3  1kB/s')
  })

  it('a stream of unknown length says how many layers were read, singular or plural', () => {
    const progress = new ReadProgress()
    progress.layerDone(500)
    assert.equal(progressLine(progress, 'reading -', 1), 'reading -  500B  1 layer read  500B/s')
    progress.layerDone(500)
    assert.equal(progressLine(progress, 'reading -', 1), 'reading -  1kB  2 layers read  1kB/s')
  })
})
