// One image through every source kind, in process: each must yield the same Image (config, diff_ids, parsed
// entries) and the same figures, and each must be consistent with itself (validateImage).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {gzipSync} from 'node:zlib'

import {analyzeImage} from '../../src/analysis/analyze.js'
import type {Image} from '../../src/image/image.js'
import {openImage} from '../../src/sources/open.js'
import {CONFORMANCE_SPEC, essence} from '../helpers/conformance.js'
import {legacySave, ociArchive, scratch, writeDirCopy, writeOciLayout} from '../helpers/images.js'
import {validateImage} from '../helpers/validate-image.js'

function figures(image: Image) {
  const {summary, layers, topWasted} = analyzeImage(image, 10)
  return {summary, layers, topWasted}
}

describe('conformance: every source kind yields the same image', () => {
  let tmp: ReturnType<typeof scratch>
  before(() => {
    // a fresh directory for each run: a runner may run the suite again in the same process (Stryker's mocha runner
    // does, for each mutant), after the last run's `after` removed it
    tmp = scratch()
  })
  after(() => tmp.remove())

  it('docker save (legacy, gzip layers, Docker 25), OCI archive and layout, dir:, stdin, compressed, spooled', async () => {
    const legacy = tmp.file('legacy.tar', legacySave([CONFORMANCE_SPEC]))
    writeOciLayout(tmp.file('layout'), [CONFORMANCE_SPEC], {compression: 'gzip'})
    writeDirCopy(tmp.file('dir'), CONFORMANCE_SPEC, {compression: 'zstd'})
    const sources: Array<[string, () => Promise<Image>, boolean]> = [
      ['legacy docker save', () => openImage(legacy), true],
      [
        'kaniko-style gzip layers',
        () => openImage(tmp.file('kaniko.tar', legacySave([CONFORMANCE_SPEC], {compression: 'gzip'}))),
        true,
      ],
      [
        'Docker 25 save, zstd',
        () =>
          openImage(tmp.file('d25.tar', ociArchive([CONFORMANCE_SPEC], {compression: 'zstd', dockerManifest: true}))),
        true,
      ],
      [
        'containerd save, nested index',
        () => openImage(tmp.file('ctrd.tar', ociArchive([CONFORMANCE_SPEC], {nestedIndex: true}))),
        true,
      ],
      [
        'OCI archive',
        () => openImage(`oci-archive:${tmp.file('oci.tar', ociArchive([CONFORMANCE_SPEC], {compression: 'gzip'}))}`),
        true,
      ],
      ['OCI layout', () => openImage(tmp.file('layout')), true],
      ['dir: copy', () => openImage(`dir:${tmp.file('dir')}`), true],
      ['stdin, read once', () => openImage('-', {stdin: [readFileSync(legacy)] as never}), false],
      ['stdin, spooled', () => openImage('-', {stdin: [readFileSync(legacy)] as never, randomAccess: true}), true],
      [
        'gzip-compressed save, read once',
        () => openImage(tmp.file('save.tar.gz', gzipSync(readFileSync(legacy)))),
        false,
      ],
      ['gzip-compressed save, spooled', () => openImage(tmp.file('save.tar.gz'), {randomAccess: true}), true],
    ]
    const reference = await openImage(legacy)
    const want = {essence: essence(reference), figures: figures(reference)}
    await reference.close()
    for (const [name, open, blobs] of sources) {
      const image = await open()
      try {
        await validateImage(image, {blobs})
        assert.deepEqual({essence: essence(image), figures: figures(image)}, want, name)
      } finally {
        await image.close()
      }
    }
    // the figures themselves, by hand: 1500 + 4 + 700 bytes below, the chmod copy of bin/app above
    assert.deepEqual(
      [want.figures.summary.totalBytes, want.figures.summary.finalBytes, want.figures.summary.wastedBytes],
      [1500 + 4 + 700 + 1500, 1500 + 4, 1500 + 700],
    )
  })
})
