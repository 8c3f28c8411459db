import assert from 'node:assert/strict'

import {containerReport} from '../../src/analysis/container.js'
import type {ContainerInfo, PathStat} from '../../src/image/container.js'
import {render} from '../../src/report/render.js'
import {containerView} from '../../src/report/container-table.js'
import {imageOf} from '../helpers/model.js'

/** What the engine says of a container, as a literal: its changes, mounts, and the stat of each path. */
function container(stats: Record<string, PathStat>): ContainerInfo & {statted: string[][]} {
  const statted: string[][] = []
  return {
    id: '3f2a9c0b1d2e4f5a6b7c8d9e',
    name: 'work',
    image: 'sha256:abc',
    imageRef: 'app:1',
    state: 'exited',
    mountPoints: ['/mnt/vol/deep'],
    changes: [
      {kind: 'C', path: '/app'},
      {kind: 'D', path: '/app/data'},
      {kind: 'C', path: '/app/file.txt'},
      {kind: 'A', path: '/etc/hostname'},
      {kind: 'A', path: '/mnt'},
      {kind: 'A', path: '/mnt/vol'},
      {kind: 'A', path: '/mnt/vol/deep'},
      {kind: 'A', path: '/tmp/obj'},
    ],
    statted,
    async stat(paths) {
      statted.push(paths)
      return new Map(paths.filter((p) => stats[p]).map((p) => [p, stats[p]]))
    },
  }
}

describe("container: the user's changes sized against the image", () => {
  it('leaves out runtime files and mount points, stats what is left, and sizes the commit and its waste', async () => {
    const image = await imageOf([
      {
        members: [
          {path: 'app/', type: 'dir'},
          {path: 'app/data', content: 'd'.repeat(10_000)},
          {path: 'app/file.txt', content: 'f'.repeat(100)},
        ],
      },
    ])
    const info = container({
      '/app': {type: 'dir', size: 4096, linkTarget: ''},
      '/app/file.txt': {type: 'file', size: 105, linkTarget: ''},
      '/tmp/obj': {type: 'file', size: 5000, linkTarget: ''},
    })
    const report = await containerReport(info, image)
    assert.deepEqual(info.statted, [['/app', '/app/file.txt', '/tmp/obj']])
    assert.deepEqual(report, {
      schemaVersion: 1,
      container: {id: '3f2a9c0b1d2e4f5a6b7c8d9e', name: 'work', image: 'app:1', imageId: 'sha256:abc', state: 'exited'},
      changes: [
        {change: 'C', path: '/app', type: 'dir', bytes: 0, shadowedBytes: 0, temporary: null},
        {change: 'D', path: '/app/data', type: null, bytes: 0, shadowedBytes: 10_000, temporary: null},
        {change: 'C', path: '/app/file.txt', type: 'file', bytes: 105, shadowedBytes: 100, temporary: null},
        {change: 'A', path: '/tmp/obj', type: 'file', bytes: 5000, shadowedBytes: 0, temporary: 'temporary directory'},
      ],
      summary: {
        added: 1,
        changed: 2,
        deleted: 1,
        commitBytes: 5105,
        commitFiles: 2,
        shadowedBytes: 10_100,
        temporaryBytes: 5000,
        temporaryFiles: 1,
      },
    })
    assert.equal(
      render('table', containerView(report)),
      [
        'Container work (3f2a9c0b1d2e, exited) from app:1',
        '',
        '    SIZE   SHADOWS   PATH            NOTE',
        'C      -         -   /app',
        'D      -      10kB   /app/data',
        'C   105B      100B   /app/file.txt',
        'A    5kB         -   /tmp/obj        temporary directory',
        '',
        'Changes: 1 added, 2 changed, 1 deleted',
        'docker commit would add a layer of 5.11kB (2 files)',
        "and leave 10.1kB of the image's bytes stored but hidden (waste the commit adds)",
        'Temporary artifacts: 5kB in 1 files; remove them before committing',
        '',
      ].join('\n'),
    )
  })
})
