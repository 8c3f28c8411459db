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
    assert.deepEqual(figures(report), [14, 1_220_598, 1_188_573, 405, 32_025])
    assert.deepEqual(report.summary.dive, {
      efficiency: 0.9844212134184309,
      inefficientBytes: 32_025,
      userWastedPercent: 0.4834911001404049,
    })
    // dive lists /root/saved.txt, /root/example/somefile1.txt and /root/example/somefile3.txt as inefficient
    assert.deepEqual(
      report.topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.removedBy, w.how]),
      [
        ['root/example/somefile1.txt', 6405, 3, 4, 'metadata-only'],
        ['root/example/somefile1.txt', 6405, 4, 9, 'deleted'],
        ['root/example/somefile2.txt', 6405, 5, 9, 'deleted'],
        ['root/example/somefile3.txt', 6405, 6, 7, 'deleted'],
        ['root/saved.txt', 6405, 7, 13, 'metadata-only'],
      ],
    )
    assert.deepEqual(
      report.layers.map((l: any) => [l.added, l.modified, l.removed, l.wastedBytes]),
      [
        [415, 0, 0, 0],
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
    assert.deepEqual(figures(report), [14, 1_326_410, 1_280_165, 411, 46_245])
    assert.deepEqual(report.image.repoTags, ['dive-test:kaniko-latest'])
  })

  for (const kind of ['uncompressed', 'gzip', 'zstd', 'estargz']) {
    it(`dive's OCI ${kind} image: one layer holding README.md`, async () => {
      const report = await analyzeJson([`${PEER}dive/test-oci-${kind}-image.tar`])
      assert.deepEqual(figures(report), [1, 11_189, 11_189, 1, 0])
      assert.equal(report.source.kind, 'oci-archive')
    })
  }

  it('go-containerregistry: Docker 25 save, layouts, bundles, links, whiteouts', async () => {
    const g = `${PEER}go-containerregistry/`
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
