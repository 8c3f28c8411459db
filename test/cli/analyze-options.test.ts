import assert from 'node:assert/strict'

import {runCli} from '../helpers/cli.js'
import {buildImage, type ImageSpec, legacySave, scratch} from '../helpers/images.js'

const LONG = 'RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates'

/** A deleted file, an overwritten one, and a command longer than the CREATED BY column. */
const W: ImageSpec = {
  tag: 'w:1',
  layers: [
    {
      createdBy: 'ADD base /',
      members: [
        {path: 'var/big', size: 5000},
        {path: 'etc/a', size: 10},
        {path: 'srv/mid', size: 300},
        {path: 'usr/lib/x/deep/file', size: 20},
      ],
    },
    {
      createdBy: LONG,
      members: [{path: 'var/.wh.big'}, {path: 'srv/mid', size: 200}, {path: 'b/z', size: 7}, {path: 'a/y', size: 3}],
    },
  ],
}

/**
 * By hand: layer 0 holds 5,000 + 10 + 300 + 20 = 5,330 bytes, layer 1 200 + 7 + 3 = 210; var/big (5,000) is
 * deleted and srv/mid's first 300 bytes overwritten: 5,300 of 5,540 wasted (95.67 %), 240 bytes in 5 files shown.
 * dive: var/big (5,000 + a 0-byte whiteout) and srv/mid (300 + 200) are in both layers: 5,500 inefficient;
 * Σ minimum 240 over Σ cumulative 5,540 = 4.3321 %; 5,500 over the 210 bytes above layer 0 = 2619.05 %.
 */
function table(name: string, createdBy: string, wasted: string[]): string {
  const id = buildImage(W).configDigest.slice(7, 19)
  const width = Math.max('CREATED BY'.length, createdBy.length)
  const rows = [
    ['LAYER', 'CREATED BY', '  SIZE', 'ADDED', 'MODIFIED', 'REMOVED', 'WASTED'],
    ['    0', 'ADD base /', '5.33kB', '    4', '       0', '      0', ' 5.3kB'],
    ['    1', createdBy, '  210B', '    2', '       1', '      1', '    0B'],
  ]
  return [
    `Image: ${id} w:1 (linux/amd64) from docker-archive ${name}`,
    '',
    ...rows.map((r) => [r[0], r[1].padEnd(width), ...r.slice(2)].join('   ')),
    '',
    'Total:  5.54kB in 2 layers',
    'Final:  240B in 5 files',
    'Wasted: 5.3kB (95.67%)',
    'dive:   efficiency 4.3321%, inefficient 5.5kB, user wasted 2619.05%',
    ...wasted,
    '',
  ].join('\n')
}

/** The ADVICE section after the figures and the waste list (the same whatever --top and --no-trunc). */
const ADVICE = [
  '',
  'ADVICE              SAVES   HADOLINT   WHAT AND HOW',
  'deleted-later         5kB   -          files stored by layer 0 (ADD base /) are deleted by layer 1 (RUN ' +
    'apt-get update && apt-get install -y --no-install-recom…)',
  '                                       fix: delete them in the RUN that makes them, or build in a stage and COPY only the result',
  '                                       /var/big',
  'overwritten-later    300B   -          files stored by layer 0 (ADD base /) are rewritten by layer 1 (RUN ' +
    'apt-get update && apt-get install -y --no-install-recom…)',
  '                                       fix: write each file once: produce its final version in one step (a ' +
    'build stage can hold the intermediate ones)',
  '                                       /srv/mid',
]

describe('analyze --top and --no-trunc', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const image = tmp.file('w.tar', legacySave([W]))

  it('--top N lists the N largest wasted contents (10 by default, 0 for all); a cut list says how many more', async () => {
    const wasted = async (...args: string[]) => {
      const result = await runCli(['analyze', image, '--format', 'json', ...args])
      assert.deepEqual([result.code, result.stderr], [0, ''])
      return JSON.parse(result.stdout).topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how])
    }
    assert.deepEqual(await wasted(), [
      ['/var/big', 5000, 0, 1, 'deleted'],
      ['/srv/mid', 300, 0, 1, 'overwritten'],
    ])
    assert.deepEqual(await wasted('--top', '1'), [['/var/big', 5000, 0, 1, 'deleted']])
    assert.deepEqual(await wasted('--top', '0'), await wasted())
    const one = await runCli(['analyze', image, '--top', '1'])
    const truncated = `${LONG.slice(0, 44)}…`
    assert.deepEqual(
      [one.code, one.stderr, one.stdout],
      [
        0,
        '',
        table(image, truncated, [
          '',
          'WASTED   PATH       LAYER   HIDDEN BY   HOW',
          '   5kB   /var/big       0           1   deleted',
          '… and 1 more; --top 0 for all',
          ...ADVICE,
        ]),
      ],
    )
  })

  it('--no-trunc prints the whole CREATED BY (45 characters otherwise, the last an ellipsis)', async () => {
    // --top 0: every wasted path, so nothing is cut and no '… and N more' line
    const wasted = [
      '',
      'WASTED   PATH       LAYER   HIDDEN BY   HOW',
      '   5kB   /var/big       0           1   deleted',
      '  300B   /srv/mid       0           1   overwritten',
      ...ADVICE,
    ]
    const full = await runCli(['analyze', image, '--no-trunc', '--top', '0'])
    assert.deepEqual([full.code, full.stderr, full.stdout], [0, '', table(image, LONG, wasted)])
    const cut = await runCli(['analyze', image, '--top', '0'])
    assert.deepEqual([cut.code, cut.stderr, cut.stdout], [0, '', table(image, `${LONG.slice(0, 44)}…`, wasted)])
  })
})
