// The engine as one more source kind: an image loaded into a private dockerd and read back, from the engine's own
// layer store and through its save stream (read once, and spooled for random access), is the same Image as the
// archive it was loaded from, for the overlay2 and the vfs storage drivers, and for containerd's image store.
import assert from 'node:assert/strict'

import type {Image} from '../../src/image/image.js'
import {openImage} from '../../src/sources/open.js'
import {CONFORMANCE_SPEC, essence} from '../helpers/conformance.js'
import {legacySave, scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {validateImage} from '../helpers/validate-image.js'
import {type PrivateEngine, startDockerd} from './dockerd.js'

/** The engines: two graph drivers of the system's dockerd, and dockerd 26 with containerd's image store. */
const ENGINES = [
  {driver: 'overlay2', suite: 'engine', store: 'engine-store', save: 'docker-legacy'},
  {driver: 'vfs', suite: 'engine', store: 'engine-store', save: 'docker-legacy'},
  {driver: 'overlayfs', suite: 'containerdEngine', store: 'containerd-store', save: 'docker-oci', containerd: true},
] as const

for (const {driver, suite, store, save, ...kind} of ENGINES) {
  const containerd = 'containerd' in kind
  describe(`engine conformance (${driver}): an engine image is the same Image as its archive`, function () {
    let engine: PrivateEngine
    const tmp = scratch()

    before(async function () {
      requirePrerequisites(this, suite)
      this.timeout(300_000)
      engine = await startDockerd(containerd ? {containerd} : {args: ['--storage-driver', driver]})
    })

    after(async () => {
      await engine?.stop()
      tmp.remove()
    })

    it('docker-daemon: from the layer store and through docker save, read once and with random access', async () => {
      const archive = tmp.file('conf.tar', legacySave([CONFORMANCE_SPEC]))
      const load = await engine.docker(['load', '-i', archive])
      assert.equal(load.code, 0, load.stderr)
      const info = await engine.docker(['info', '--format', '{{.Driver}} {{json .DriverStatus}}'])
      const [name, status] = info.stdout.trim().split(' ')
      assert.equal(name, driver)
      assert.equal(status.includes('["driver-type","io.containerd.snapshotter.v1"]'), containerd, status)
      const fromArchive = await openImage(archive)
      // containerd's image store names an image by its manifest's digest, a graph driver by its config's
      const id = (await engine.docker(['image', 'inspect', '--format', '{{.Id}}', 'conf:1'])).stdout.trim()
      const want = {...essence(fromArchive), id}
      assert.equal(fromArchive.id === id, !containerd)
      await fromArchive.close()
      for (const via of ['store', 'save'] as const) {
        for (const randomAccess of [false, true]) {
          const image: Image = await openImage('docker-daemon:conf:1', {engine: {host: engine.host}, randomAccess, via})
          try {
            // from a store every layer has a blob: its tar (rebuilt from tar-split, or decompressed from containerd's
            // content store) must hash to the diff_id
            await validateImage(image, {blobs: via === 'store' || randomAccess})
            assert.deepEqual(image.source, {kind: 'daemon', name: 'conf:1', format: via === 'store' ? store : save})
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
