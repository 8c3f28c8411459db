// The engine as one more source kind: an image loaded into a private dockerd and read back, from the engine's own
// layer store and through its save stream (read once, and spooled for random access), is the same Image as the
// archive it was loaded from, for the overlay2 and the vfs storage drivers.
import assert from 'node:assert/strict'

import type {Image} from '../../src/image/image.js'
import {openImage} from '../../src/sources/open.js'
import {CONFORMANCE_SPEC, essence} from '../helpers/conformance.js'
import {legacySave, scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {validateImage} from '../helpers/validate-image.js'
import {type PrivateEngine, startDockerd} from './dockerd.js'

for (const driver of ['overlay2', 'vfs']) {
  describe(`engine conformance (${driver}): an engine image is the same Image as its archive`, function () {
    let engine: PrivateEngine
    const tmp = scratch()

    before(async function () {
      requirePrerequisites(this, 'engine')
      this.timeout(300_000)
      engine = await startDockerd({args: ['--storage-driver', driver]})
    })

    after(async () => {
      await engine?.stop()
      tmp.remove()
    })

    it('docker-daemon: from the layer store and through docker save, read once and with random access', async () => {
      const archive = tmp.file('conf.tar', legacySave([CONFORMANCE_SPEC]))
      const load = await engine.docker(['load', '-i', archive])
      assert.equal(load.code, 0, load.stderr)
      const info = await engine.docker(['info', '--format', '{{.Driver}}'])
      assert.equal(info.stdout.trim(), driver)
      const fromArchive = await openImage(archive)
      const want = essence(fromArchive)
      await fromArchive.close()
      for (const via of ['store', 'save'] as const) {
        for (const randomAccess of [false, true]) {
          const image: Image = await openImage('docker-daemon:conf:1', {engine: {host: engine.host}, randomAccess, via})
          try {
            // from the store every layer has a blob: its tar rebuilt from tar-split must hash to the diff_id
            await validateImage(image, {blobs: via === 'store' || randomAccess})
            const format = via === 'store' ? 'engine-store' : 'docker-legacy'
            assert.deepEqual(image.source, {kind: 'daemon', name: 'conf:1', format})
            assert.deepEqual(image.repoTags, ['conf:1'])
            assert.deepEqual(essence(image), want, `${via}, randomAccess ${randomAccess}`)
          } finally {
            await image.close()
          }
        }
      }
    })
  })
}
