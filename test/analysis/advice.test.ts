import assert from 'node:assert/strict'

import {adviseImage} from '../../src/analysis/advice.js'
import {analyzeImage} from '../../src/analysis/analyze.js'
import {findWaste} from '../../src/analysis/waste.js'
import {openImage} from '../../src/sources/open.js'
import {legacySave, scratch, type LayerSpec} from '../helpers/images.js'
import {imageOf} from '../helpers/model.js'

async function advise(layers: LayerSpec[]) {
  const image = await imageOf(layers)
  return adviseImage(image, findWaste(image))
}

/** [id, kind, bytes, layers, paths, ref] of each item, in order. */
const brief = (advice: Awaited<ReturnType<typeof advise>>) =>
  advice.map((a) => [a.id, a.kind, a.bytes, a.layers, a.paths, a.ref])

describe('advice: Dockerfile changes from waste and the final filesystem', () => {
  it('package-manager caches removed a layer later, one rule per manager with its hadolint rule', async () => {
    const managers: Array<[string, string, string | null]> = [
      ['var/lib/apt/lists/deb_Packages', 'apt', 'DL3009'],
      ['var/cache/apk/APKINDEX.tar.gz', 'apk', 'DL3019'],
      ['root/.cache/pip/wheels/x.whl', 'pip', 'DL3042'],
      ['usr/local/share/.cache/yarn/v6/pkg', 'yarn', 'DL3060'],
      ['root/.npm/_cacache/index', 'npm', null],
      ['var/cache/dnf/repo.solv', 'dnf', 'DL3040'],
      ['var/cache/yum/x86_64/primary.xml', 'yum', 'DL3032'],
      ['var/cache/zypp/raw/repo.xml', 'zypper', 'DL3036'],
    ]
    for (const [path, manager, ref] of managers) {
      const advice = await advise([
        {createdBy: '/bin/sh -c install', members: [{path, size: 1000}]},
        {createdBy: '/bin/sh -c cleanup', members: [{path: path.replace(/\/[^/]+$/, '/.wh..wh..opq')}]},
      ])
      // an archive cached by apk (APKINDEX.tar.gz) is apk's, not an archive the Dockerfile copied
      assert.deepEqual(brief(advice), [[`${manager}-cache`, 'waste', 1000, [0, 1], [`/${path}`], ref]], manager)
      assert.equal(
        advice[0].title,
        `${manager}'s downloads and indexes stored by layer 0 (install) are removed only by layer 1 (cleanup)`,
      )
    }
  })

  it('files made by one RUN and deleted by the next (DL3059), or later; overwritten; chmod copies', async () => {
    const advice = await advise([
      {
        createdBy: '/bin/sh -c make',
        members: [
          {path: 'src/a.o', size: 300},
          {path: 'src/b.o', size: 200},
          {path: 'app/bin', size: 50},
        ],
      },
      {createdBy: '/bin/sh -c rm src/*.o', members: [{path: 'src/.wh.a.o'}, {path: 'src/.wh.b.o'}]},
      {createdBy: '/bin/sh -c #(nop) COPY file:abc in /app/bin', members: [{path: 'app/bin', size: 60}]},
      {createdBy: '/bin/sh -c chmod 700 /app/bin', members: [{path: 'app/bin', size: 60, mode: 0o700}]},
    ])
    assert.deepEqual(brief(advice), [
      ['deleted-later', 'waste', 500, [0, 1], ['/src/a.o', '/src/b.o'], 'DL3059'],
      ['chmod-copy', 'waste', 60, [2, 3], ['/app/bin'], null],
      ['overwritten-later', 'waste', 50, [0, 2], ['/app/bin'], null],
    ])
    assert.deepEqual(
      advice.map((a) => a.fix),
      [
        'delete them in the RUN that makes them, or build in a stage and COPY only the result',
        'set owner and mode where the files are written: COPY --chown=… --chmod=…, or in the RUN that makes them',
        'write each file once: produce its final version in one step (a build stage can hold the intermediate ones)',
      ],
    )
    const gap = await advise([
      {createdBy: '/bin/sh -c make', members: [{path: 'obj/x.o', size: 10}]},
      {createdBy: '/bin/sh -c true', members: [{path: 'keep', size: 1}]},
      {createdBy: '/bin/sh -c rm -r obj', members: [{path: '.wh.obj'}]},
    ])
    assert.deepEqual(brief(gap), [['deleted-later', 'waste', 10, [0, 2], ['/obj/x.o'], null]])
  })

  it('a secret deleted later comes first whatever its size; a public key is not a secret', async () => {
    const advice = await advise([
      {
        createdBy: '/bin/sh -c #(nop) COPY dir:1 in /',
        members: [
          {path: 'root/.ssh/id_ed25519', size: 400},
          {path: 'root/.ssh/id_ed25519.pub', size: 90},
          {path: 'srv/.env', size: 30},
          {path: 'srv/tls/server.pem', size: 1200},
          {path: 'srv/big.bin', size: 9000},
        ],
      },
      {createdBy: '/bin/sh -c rm -rf /root/.ssh /srv', members: [{path: '.wh.root'}, {path: '.wh.srv'}]},
    ])
    assert.deepEqual(brief(advice), [
      ['secret', 'waste', 1630, [0, 1], ['/srv/tls/server.pem', '/root/.ssh/id_ed25519', '/srv/.env'], null],
      ['deleted-later', 'waste', 9090, [0, 1], ['/srv/big.bin', '/root/.ssh/id_ed25519.pub'], null],
    ])
  })

  it('an archive copied then extracted and removed (DL3010); one downloaded by a RUN', async () => {
    const advice = await advise([
      {createdBy: '/bin/sh -c #(nop) ADD file:1 in /tmp/app.tgz', members: [{path: 'tmp/app.tgz', size: 700}]},
      {
        createdBy: '/bin/sh -c tar -xzf /tmp/app.tgz && rm /tmp/app.tgz',
        members: [{path: 'tmp/.wh.app.tgz'}, {path: 'opt/app', size: 5}],
      },
      {createdBy: '/bin/sh -c curl -O x.zip', members: [{path: 'x.zip', size: 40}]},
      {createdBy: '/bin/sh -c rm x.zip', members: [{path: '.wh.x.zip'}]},
    ])
    assert.deepEqual(brief(advice), [
      ['archive', 'waste', 700, [0, 1], ['/tmp/app.tgz'], 'DL3010'],
      ['archive', 'waste', 40, [2, 3], ['/x.zip'], null],
    ])
  })

  it('leftovers in the final image: /tmp, tool caches, bytecode, build directories, package caches', async () => {
    const advice = await advise([
      {
        createdBy: '/bin/sh -c build',
        members: [
          {path: 'tmp/scratch', size: 11},
          {path: 'root/.cache/go-build/x', size: 22},
          {path: 'app/__pycache__/m.cpython-311.pyc', size: 33},
          {path: 'src/target/release/dep.rlib', size: 44},
          {path: 'var/cache/apt/archives/curl.deb', size: 55},
          {path: 'app/main.py', size: 66},
        ],
      },
    ])
    assert.deepEqual(brief(advice), [
      ['apt-cache-kept', 'final', 55, [0], ['/var/cache/apt/archives/curl.deb'], 'DL3009'],
      ['build-leftovers', 'final', 44, [0], ['/src/target/release/dep.rlib'], null],
      ['python-bytecode', 'final', 33, [0], ['/app/__pycache__/m.cpython-311.pyc'], null],
      ['tool-cache', 'final', 22, [0], ['/root/.cache/go-build/x'], null],
      ['tmp-leftovers', 'final', 11, [0], ['/tmp/scratch'], null],
    ])
  })

  it("the waste items add up to analyze's wastedBytes; duplicates count the visible copies beyond the first", async () => {
    const tmp = scratch()
    try {
      const file = tmp.file(
        'dup.tar',
        legacySave([
          {
            layers: [
              {
                createdBy: '/bin/sh -c a',
                members: [
                  {path: 'a/lib.so', content: 'L'.repeat(500)},
                  {path: 'tmp/x', size: 7},
                ],
              },
              {createdBy: '/bin/sh -c b', members: [{path: 'b/lib.so', content: 'L'.repeat(500)}, {path: 'tmp/.wh.x'}]},
              {createdBy: '/bin/sh -c c', members: [{path: 'c/lib.so', content: 'L'.repeat(500)}]},
            ],
          },
        ]),
      )
      const image = await openImage(file, {hash: true})
      const waste = findWaste(image, {duplicates: true})
      const advice = adviseImage(image, waste)
      assert.deepEqual(brief(advice), [
        ['duplicate-content', 'final', 1000, [1, 2], ['/b/lib.so', '/c/lib.so'], null],
        ['deleted-later', 'waste', 7, [0, 1], ['/tmp/x'], 'DL3059'],
      ])
      const wasted = advice.filter((a) => a.kind === 'waste').reduce((sum, a) => sum + a.bytes, 0)
      assert.equal(wasted, analyzeImage(image, 0).summary.wastedBytes)
      await image.close()
    } finally {
      tmp.remove()
    }
  })

  it("each rule's title and fix; a COPY or ADD in any history form is DL3010, a RUN that names COPY is not", async () => {
    const advice = await advise([
      // docker's legacy builder writes two spaces after #(nop)
      {createdBy: '/bin/sh -c #(nop)  ADD file:abc in /tmp/ ', members: [{path: 'tmp/a.tgz', size: 400}]},
      // BuildKit's history has no /bin/sh -c prefix
      {createdBy: 'COPY b.tar.gz /tmp/ # buildkit', members: [{path: 'tmp/b.tar.gz', size: 300}]},
      {
        createdBy: '/bin/sh -c curl -fsSL https://example.com/COPY/release-1.2.3.tar.gz -o /opt/release.tar.gz',
        members: [{path: 'opt/release.tar.gz', size: 200}],
      },
      {
        createdBy: '/bin/sh -c #(nop) COPY file:def in /root/.ssh/id_rsa',
        members: [{path: 'root/.ssh/id_rsa', size: 100}],
      },
      {
        createdBy: 'RUN /bin/sh -c rm -rf /tmp /opt /root # buildkit',
        members: [{path: '.wh.tmp'}, {path: '.wh.opt'}, {path: '.wh.root'}],
      },
    ])
    // each file is deleted by layer 4: one record each, the secret first, then the archives by size
    const hider = 'layer 4 (RUN /bin/sh -c rm -rf /tmp /opt /root # buildkit)'
    const copied =
      'ADD a local tar archive (it is extracted as it is added), or extract it in a build stage and COPY the result'
    assert.deepEqual(
      advice.map((a) => [a.id, a.bytes, a.layers, a.paths, a.ref, a.title, a.fix]),
      [
        [
          'secret',
          100,
          [3, 4],
          ['/root/.ssh/id_rsa'],
          null,
          `a secret stored by layer 3 (COPY file:def in /root/.ssh/id_rsa) and hidden by ${hider} is still in the image`,
          'anyone with the image can read it: pass it with RUN --mount=type=secret (or use it in a build stage only), and rotate it',
        ],
        [
          'archive',
          400,
          [0, 4],
          ['/tmp/a.tgz'],
          'DL3010',
          `an archive stored by layer 0 (ADD file:abc in /tmp/) is removed only by ${hider}`,
          copied,
        ],
        [
          'archive',
          300,
          [1, 4],
          ['/tmp/b.tar.gz'],
          'DL3010',
          `an archive stored by layer 1 (COPY b.tar.gz /tmp/ # buildkit) is removed only by ${hider}`,
          copied,
        ],
        [
          'archive',
          200,
          [2, 4],
          ['/opt/release.tar.gz'],
          null,
          // the command is 79 characters: its first 59 (up to "-o") and an ellipsis
          `an archive stored by layer 2 (curl -fsSL https://example.com/COPY/release-1.2.3.tar.gz -o…) is removed only by ${hider}`,
          'download, extract and delete the archive in one RUN, or extract it in a build stage',
        ],
      ],
    )
  })

  it('a package cache or an archive copied only for its mode is a chmod copy; the copy left is a cache kept', async () => {
    const advice = await advise([
      {
        createdBy: '/bin/sh -c apt-get update',
        members: [
          {path: 'var/lib/apt/lists/deb_Packages', size: 100},
          {path: 'opt/app.tar', size: 200},
        ],
      },
      {
        createdBy: '/bin/sh -c chmod -R g+w /var /opt',
        members: [
          {path: 'var/lib/apt/lists/deb_Packages', size: 100, mode: 0o664},
          {path: 'opt/app.tar', size: 200, mode: 0o664},
        ],
      },
    ])
    // layer 0's two files are hidden by identical bytes (metadata-only): 300 bytes of one chmod copy; layer 1's
    // copy of the apt list stays visible: 100 bytes of apt's cache in the final image
    assert.deepEqual(
      advice.map((a) => [a.id, a.kind, a.bytes, a.layers, a.paths, a.ref, a.title]),
      [
        [
          'chmod-copy',
          'waste',
          300,
          [0, 1],
          ['/opt/app.tar', '/var/lib/apt/lists/deb_Packages'],
          null,
          'layer 1 (chmod -R g+w /var /opt) copied unchanged files of layer 0 (apt-get update) to change their owner or mode',
        ],
        [
          'apt-cache-kept',
          'final',
          100,
          [1],
          ['/var/lib/apt/lists/deb_Packages'],
          'DL3009',
          "apt's downloads and indexes in the final image",
        ],
      ],
    )
    assert.equal(
      advice[0].fix,
      'set owner and mode where the files are written: COPY --chown=… --chmod=…, or in the RUN that makes them',
    )
  })

  it('paths of equal bytes within an item are in path order, whatever order the layer wrote them', async () => {
    const advice = await advise([
      {
        members: [
          {path: 'tmp/z', size: 10},
          {path: 'tmp/a', size: 10},
          {path: 'tmp/m', size: 20},
        ],
      },
    ])
    assert.deepEqual(brief(advice), [['tmp-leftovers', 'final', 40, [0], ['/tmp/m', '/tmp/a', '/tmp/z'], null]])
  })

  it('duplicates: one item per content shown twice or more, none for a content shown once', async () => {
    const tmp = scratch()
    try {
      const [x, y, z] = ['X'.repeat(300), 'Y'.repeat(200), 'Z'.repeat(100)]
      const file = tmp.file(
        'dups.tar',
        legacySave([
          {
            layers: [
              {
                createdBy: '/bin/sh -c a',
                members: [
                  {path: 'a/x', content: x},
                  {path: 'a/y', content: y},
                ],
              },
              {
                createdBy: '/bin/sh -c b',
                members: [
                  {path: 'b/x', content: x},
                  {path: 'b/y', content: y},
                  {path: 'e/z', content: z},
                  {path: 'f/z', content: z},
                ],
              },
              {
                createdBy: '/bin/sh -c c',
                members: [{path: 'a/.wh.x'}, {path: 'a/.wh.y'}, {path: 'b/.wh.y'}, {path: 'd/x', content: x}],
              },
            ],
          },
        ]),
      )
      const image = await openImage(file, {hash: true})
      const advice = adviseImage(image, findWaste(image, {duplicates: true}))
      // X: stored at a/x, b/x, d/x; a/x deleted, so shown at 2 paths: the copy beyond the first, d/x, 300 bytes.
      // Y: stored at a/y and b/y, both deleted: shown nowhere, no item. Z: shown at e/z and f/z: f/z, 100 bytes.
      // Waste: a/x 300 + a/y 200 + b/y 200 deleted by layer 2 (0 → 2 and 1 → 2: two items, DL3059 for 1 → 2).
      assert.deepEqual(
        advice.map((a) => [a.id, a.bytes, a.layers, a.paths, a.ref, a.title]),
        [
          [
            'deleted-later',
            500,
            [0, 2],
            ['/a/x', '/a/y'],
            null,
            'files stored by layer 0 (a) are deleted by layer 2 (c)',
          ],
          ['duplicate-content', 300, [2], ['/d/x'], null, 'the same 300-byte content is shown at 2 paths'],
          ['deleted-later', 200, [1, 2], ['/b/y'], 'DL3059', 'files stored by layer 1 (b) are deleted by layer 2 (c)'],
          ['duplicate-content', 100, [1], ['/f/z'], null, 'the same 100-byte content is shown at 2 paths'],
        ],
      )
      assert.equal(advice[1].fix, 'store it once: COPY it once and link to it, or find which steps write the same file')
      await image.close()
    } finally {
      tmp.remove()
    }
  })

  it('a command of 60 characters is shown whole; a layer without history by its index alone', async () => {
    const command = 'make all && make install DESTDIR=/opt/app PREFIX=/usr/local/' // 8 + 4 + 12 + 17 + 19 = 60
    const image = await imageOf([{members: [{path: 'obj/x.o', size: 10}]}, {members: [{path: '.wh.obj'}]}])
    // history for layer 0 only
    const advice = adviseImage({...image, config: {history: [{created_by: `/bin/sh -c ${command}`}]}}, findWaste(image))
    assert.deepEqual(
      advice.map((a) => [a.id, a.bytes, a.ref, a.title]),
      [['deleted-later', 10, null, `files stored by layer 0 (${command}) are deleted by layer 1`]],
    )
  })
})
