// The conformance image pushed by skopeo to a private registry and read back through docker://: the same Image as
// the archive it was pushed from (config, diff_ids, parsed entries, figures), consistent with itself.
import assert from 'node:assert/strict'

import {analyzeImage} from '../../src/analysis/analyze.js'
import type {Image} from '../../src/image/image.js'
import {openImage} from '../../src/sources/open.js'
import {CONFORMANCE_SPEC, essence} from '../helpers/conformance.js'
import {legacySave, ociArchive, scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {skopeoPush, startRegistry, type TestRegistry} from '../helpers/registry.js'
import {validateImage} from '../helpers/validate-image.js'

function figures(image: Image) {
  const {summary, layers, topWasted} = analyzeImage(image, 10)
  return {summary, layers, topWasted}
}

describe('registry conformance: an image read from a registry is the image pushed there', function () {
  const tmp = scratch()
  let registry: TestRegistry

  before(async function () {
    requirePrerequisites(this, 'registry')
    registry = await startRegistry()
  })

  after(async () => {
    await registry?.stop()
    tmp.remove()
  })

  it('docker save and OCI archives pushed by skopeo read back alike, streamed and with random access', async () => {
    const legacy = tmp.file('legacy.tar', legacySave([CONFORMANCE_SPEC]))
    const oci = tmp.file('oci.tar', ociArchive([CONFORMANCE_SPEC], {compression: 'zstd'}))
    await skopeoPush(`docker-archive:${legacy}`, `docker://${registry.host}/conf/legacy:1`)
    await skopeoPush(`oci-archive:${oci}`, `docker://${registry.host}/conf/oci:1`)
    const reference = await openImage(legacy)
    const want = {essence: essence(reference), figures: figures(reference)}
    await reference.close()
    const pushed = [
      [`docker://${registry.host}/conf/legacy:1`, 'docker-schema2'],
      [`docker://${registry.host}/conf/oci:1`, 'oci'],
    ]
    for (const [name, format] of pushed) {
      for (const randomAccess of [false, true]) {
        const image = await openImage(name, {randomAccess})
        try {
          assert.deepEqual(image.source, {kind: 'registry', name, format})
          await validateImage(image, {blobs: randomAccess})
          assert.deepEqual({essence: essence(image), figures: figures(image)}, want, name)
        } finally {
          await image.close()
        }
      }
    }
  })
})
