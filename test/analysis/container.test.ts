import assert from 'node:assert/strict'

import {containerReport, userChanges} from '../../src/analysis/container.js'
import type {ContainerChange, ContainerInfo, PathStat} from '../../src/image/container.js'
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
      schemaVersion: 2,
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

  it('drops an added directory only when all it holds is a mount point, in whatever order the engine lists them', () => {
    const change = (spec: string): ContainerChange => ({kind: spec[0] as ContainerChange['kind'], path: spec.slice(2)})
    const kept = (specs: string[], mounts: string[]) =>
      userChanges(specs.map(change), mounts).map((c) => `${c.kind} ${c.path}`)
    assert.deepEqual(
      kept(
        ['C /data', 'A /data/vol', 'A /mnt', 'A /mnt/notes.txt', 'A /mnt/vol', 'A /srv', 'A /srv/cache'],
        ['/data/vol', '/mnt/vol', '/srv/cache'],
      ),
      // /data was in the image (C): kept; /mnt holds a user's file: kept; /srv holds only a mount: dropped
      ['C /data', 'A /mnt', 'A /mnt/notes.txt'],
    )
    // a deeper directory listed first: both go all the same
    assert.deepEqual(kept(['A /opt/a', 'A /opt'], ['/opt/a/m']), [])
  })

  it('sizes deleted directories, vanished paths and changes the image does not hold', async () => {
    const image = await imageOf([
      {
        members: [
          {path: 'etc/motd', size: 20},
          {path: 'etc/motd2', size: 40},
          {path: 'srv/a', size: 100},
          {path: 'srv/sub/b', size: 50},
          {path: 'srv/sub/b-link', type: 'hardlink', linkpath: 'srv/sub/b'},
          {path: 'srv2/c', size: 7},
          {path: 'tmp/cache/x', size: 30},
        ],
      },
    ])
    const info: ContainerInfo = {
      id: 'c0ffee',
      name: 'n',
      image: 'sha256:def',
      imageRef: 'img',
      state: 'running',
      mountPoints: [],
      changes: [
        {kind: 'D', path: '/srv'},
        {kind: 'D', path: '/tmp/cache'},
        {kind: 'C', path: '/etc'},
        {kind: 'C', path: '/etc/motd'},
        {kind: 'A', path: '/etc/new.conf'},
        {kind: 'C', path: '/etc/motd2'},
        {kind: 'D', path: '/var/old'},
        {kind: 'A', path: '/tmp/build.log'},
      ],
      // /etc/new.conf and /etc/motd2 vanished between the diff and the stat (the container runs)
      async stat(paths) {
        const stats: Record<string, PathStat> = {
          '/etc': {type: 'dir', size: 4096, linkTarget: ''},
          '/etc/motd': {type: 'file', size: 25, linkTarget: ''},
          '/tmp/build.log': {type: 'file', size: 12, linkTarget: ''},
        }
        return new Map(paths.filter((p) => stats[p]).map((p) => [p, stats[p]]))
      },
    }
    const report = await containerReport(info, image)
    const row = (change: string, path: string, type: string | null, bytes: number, shadowed: number, tmp = false) => ({
      change,
      path,
      type,
      bytes,
      shadowedBytes: shadowed,
      temporary: tmp ? 'temporary directory' : null,
    })
    assert.deepEqual(report.changes, [
      // the files under /srv: a 100 + sub/b 50, whose hardlink b-link stores nothing more (srv2/c is not under /srv)
      row('D', '/srv', null, 0, 150),
      // a deleted path is no leftover, even in /tmp
      row('D', '/tmp/cache', null, 0, 30),
      row('C', '/etc', 'dir', 0, 0),
      row('C', '/etc/motd', 'file', 25, 20),
      row('A', '/etc/new.conf', null, 0, 0),
      // vanished: no bytes of its own, the image's 40 still shadowed
      row('C', '/etc/motd2', null, 0, 40),
      // a path the image does not hold (the engine's diff and the image read disagree): no bytes, no failure
      row('D', '/var/old', null, 0, 0),
      row('A', '/tmp/build.log', 'file', 12, 0, true),
    ])
    assert.deepEqual(report.summary, {
      added: 2,
      changed: 3,
      deleted: 3,
      // the files the commit stores: /etc/motd 25 + /tmp/build.log 12
      commitBytes: 37,
      commitFiles: 2,
      // 150 + 30 + 20 + 40
      shadowedBytes: 240,
      temporaryBytes: 12,
      temporaryFiles: 1,
    })
  })
})
