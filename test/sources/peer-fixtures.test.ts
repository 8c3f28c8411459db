import assert from 'node:assert/strict'

import {analyzeJson, runCli} from '../helpers/cli.js'
import {PEER} from '../helpers/peer.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'

function figures(report: any) {
  const s = report.summary
  return [s.layers, s.totalBytes, s.finalBytes, s.finalFiles, s.wastedBytes]
}

describe('peer fixtures (dive, go-containerregistry)', function () {
  before(function () {
    requirePrerequisites(this, 'peerFixtures')
  })

  it("dive's test-docker-image.tar: dive's own published figures, to the last digit", async () => {
    const report = await analyzeJson([`${PEER}dive/test-docker-image.tar`])
    // 14 layers and 1,220,598 bytes: dive's published figures (peer-fixtures README). The rest from GNU tar's
    // listing (`tar -tvf` of each layer.tar in manifest order): 5 contents of /somefile.txt (6,405 bytes each)
    // are never shown: somefile1.txt of layer 3 (chmod copy in 4), somefile1.txt of 4 and somefile2.txt of 5
    // (.wh.example in 9), somefile3.txt of 6 (.wh.somefile3.txt in 7), saved.txt of 7 (chmod copy in 13):
    // 5 × 6,405 = 32,025 wasted, 1,220,598 − 32,025 = 1,188,573 final. Final files: layer 0 lists 6 files and
    // 392 hardlinks (busybox), plus somefile.txt, root/.saved.txt, root/saved.txt, root/.data/tag.sh,
    // root/.data/test.sh, tmp/saved.again1.txt, root/.data/saved.again2.txt: 398 + 7 = 405.
    assert.deepEqual(figures(report), [14, 1_220_598, 1_188_573, 405, 32_025])
    assert.deepEqual(report.summary.dive, {
      efficiency: 0.9844212134184309,
      inefficientBytes: 32_025,
      userWastedPercent: 0.4834911001404049,
    })
    // dive lists /root/saved.txt, /root/example/somefile1.txt and /root/example/somefile3.txt as inefficient
    assert.deepEqual(
      report.topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how]),
      [
        ['/root/example/somefile1.txt', 6405, 3, 4, 'metadata-only'],
        ['/root/example/somefile1.txt', 6405, 4, 9, 'deleted'],
        ['/root/example/somefile2.txt', 6405, 5, 9, 'deleted'],
        ['/root/example/somefile3.txt', 6405, 6, 7, 'deleted'],
        ['/root/saved.txt', 6405, 7, 13, 'metadata-only'],
      ],
    )
    // from each layer's `tar -tvf` listing, applied in order (parent directories repeated in a layer are
    // modified; 2 the four directories of mkdir -p, /root already there; 7 and 9 remove somefile3.txt, and
    // root/example with its 4 paths below: nested, really, somefile1.txt, somefile2.txt)
    assert.deepEqual(
      report.layers.map((l: any) => [l.added, l.modified, l.removed, l.wastedBytes]),
      [
        [415, 0, 0, 0], // 17 directories, 6 files, 392 hardlinks
        [1, 0, 0, 0],
        [3, 1, 0, 0],
        [1, 2, 0, 6405],
        [0, 3, 0, 6405],
        [1, 2, 0, 6405],
        [1, 2, 0, 6405],
        [1, 2, 1, 6405],
        [1, 1, 0, 0],
        [0, 1, 5, 0],
        [3, 1, 0, 0],
        [1, 1, 0, 0],
        [1, 2, 0, 0],
        [0, 2, 0, 0],
      ],
    )
  })

  it("dive's kaniko image: sha256: config name and .tar.gz layers", async () => {
    const report = await analyzeJson([`${PEER}dive/test-kaniko-image.tar`])
    // GNU tar's listing of the 14 gunzipped layers: the same build with a 9,249-byte somefile.txt; layer 0 holds
    // 1,231,733 bytes (6 files, 398 hardlinks, 17 directories), layer 10 the two scripts (917 + 1,270), ten
    // layers one copy of 9,249 each, layers 2 and 9 nothing: 1,231,733 + 2,187 + 10 × 9,249 = 1,326,410. The
    // same 5 copies as in test-docker-image.tar are never shown: 5 × 9,249 = 46,245 wasted, 1,280,165 final,
    // 404 + 7 = 411 final files.
    assert.deepEqual(figures(report), [14, 1_326_410, 1_280_165, 411, 46_245])
    assert.deepEqual(report.image.repoTags, ['dive-test:kaniko-latest'])
  })

  for (const kind of ['uncompressed', 'gzip', 'zstd', 'estargz']) {
    it(`dive's OCI ${kind} image: one layer holding README.md`, async () => {
      const report = await analyzeJson([`${PEER}dive/test-oci-${kind}-image.tar`])
      // GNU tar lists the one layer blob as `-rw-r--r-- 0/0 11189 … README.md` (estargz's stargz.index.json
      // follows the end-of-archive blocks: only `tar -i` lists it, and no layer reader applies it)
      assert.deepEqual(figures(report), [1, 11_189, 11_189, 1, 0])
      assert.equal(report.source.kind, 'oci-archive')
    })
  }

  it('go-containerregistry: Docker 25 save, layouts, bundles, links, whiteouts', async () => {
    const g = `${PEER}go-containerregistry/`
    // GNU tar lists the one layer blob as `-rwxr-xr-x 0/0 9136 … hello`
    assert.deepEqual(figures(await analyzeJson([`${g}hello-world-v25.tar`])), [1, 9136, 9136, 1, 0])
    assert.deepEqual(figures(await analyzeJson([`${g}test_image_1.tar`])), [1, 8, 8, 2, 0])
    assert.deepEqual(figures(await analyzeJson([`${g}layout/test_index_one_image`])), [1, 5, 5, 1, 0])
    const bundle = await analyzeJson([`${g}test_bundle.tar`, '--image', 'test_image_1'])
    assert.deepEqual(bundle.image.repoTags, ['test_image_1'])
    assert.deepEqual(
      figures(await analyzeJson([`${g}test_link.tar`, '--image', 'bazel/v1/tarball:test_image_3'])),
      [2, 14, 14, 3, 0],
    )
    // ./.wh.foo.txt deletes foo.txt (4 bytes); the top layer is an empty tar
    const whiteout = await analyzeJson([`${g}whiteout_image.tar`])
    assert.deepEqual(figures(whiteout), [3, 8, 4, 1, 4])
    assert.deepEqual(
      whiteout.layers.map((l: any) => [l.removed, l.removedBytes]),
      [
        [0, 0],
        [1, 4],
        [0, 0],
      ],
    )
    // foo.txt replaced by a symlink
    assert.deepEqual(figures(await analyzeJson([`${g}overwritten_file.tar`])), [3, 8, 4, 1, 4])
    // a/foo, b/bar; .wh.a; a/baz: a/foo must not come back
    const dir = await analyzeJson([`${g}whiteout_dir.tar`])
    assert.deepEqual(figures(dir), [4, 0, 0, 2, 0])
    assert.deepEqual(
      dir.layers.map((l: any) => [l.added, l.modified, l.removed]),
      [
        [2, 0, 0],
        [2, 0, 0],
        [0, 0, 2],
        [2, 0, 0],
      ],
    )
    // history: an empty_layer CMD first, then the one layer's entry
    const history = await analyzeJson([`${g}source_image_with_empty_layer_history.tar`])
    assert.deepEqual(
      history.layers.map((l: any) => l.createdBy),
      ['bazel build ...'],
    )
  })

  it('go-containerregistry bad archives end in one line and exit 2', async () => {
    const none = await runCli(['analyze', `${PEER}go-containerregistry/no_manifest.tar`])
    assert.deepEqual([none.code, none.stdout], [2, ''])
    assert.equal(
      none.stderr,
      `docker-layers: ${PEER}go-containerregistry/no_manifest.tar: image archive without manifest.json or index.json\n`,
    )
    const nul = await runCli(['analyze', `${PEER}go-containerregistry/null_manifest.tar`])
    assert.deepEqual(
      [nul.code, nul.stderr],
      [2, `docker-layers: ${PEER}go-containerregistry/null_manifest.tar: manifest.json is null\n`],
    )
  })
})
