import assert from 'node:assert/strict'

import {analyzeJson, runCli} from '../helpers/cli.js'
import {scratch} from '../helpers/images.js'
import {assertSchema} from '../helpers/schema.js'

// The history API's answer (newest first): two config-only entries, a 0-byte RUN that is a layer, three layers with
// bytes.
const HISTORY_API = [
  {
    Id: 'sha256:top',
    Created: 1_700_000_300,
    CreatedBy: 'CMD ["app"]',
    Size: 0,
    Tags: ['app:1'],
    Comment: 'buildkit.dockerfile.v0',
  },
  {
    Id: '<missing>',
    Created: 1_700_000_200,
    CreatedBy: 'RUN /bin/sh -c rm -rf /tmp/build # buildkit',
    Size: 0,
    Comment: 'buildkit.dockerfile.v0',
  },
  {
    Id: '<missing>',
    Created: 1_700_000_150,
    CreatedBy: 'COPY app /app # buildkit',
    Size: 4096,
    Comment: 'buildkit.dockerfile.v0',
  },
  {
    Id: '<missing>',
    Created: 1_700_000_100,
    CreatedBy: 'ENV PATH=/app:/bin',
    Size: 0,
    Comment: 'buildkit.dockerfile.v0',
  },
  {Id: '<missing>', Created: 1_700_000_050, CreatedBy: 'RUN /bin/sh -c make # buildkit', Size: 123_456, Comment: ''},
  {
    Id: '<missing>',
    Created: 1_700_000_000,
    CreatedBy: '/bin/sh -c #(nop) ADD file:abc in / ',
    Size: 5_000_000,
    Comment: '',
  },
]
const INSPECT = [
  {
    Id: 'sha256:cfg',
    RepoTags: ['app:1'],
    Os: 'linux',
    Architecture: 'amd64',
    Created: '2023-11-14T22:18:20Z',
    Size: 5_127_552,
    RootFS: {Type: 'layers', Layers: ['sha256:l0', 'sha256:l1', 'sha256:l2', 'sha256:l3']},
  },
]

describe('metadata-only reports (--inspect, --history)', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const history = tmp.file('history.json', JSON.stringify(HISTORY_API))
  const inspect = tmp.file('inspect.json', JSON.stringify(INSPECT))

  it('maps history entries to layers as the engine does, and says what it could not compute', async () => {
    const report = await analyzeJson(['--inspect', inspect, '--history', history])
    assert.deepEqual(
      report.layers.map((l: any) => [l.index, l.digest, l.createdBy, l.bytes, l.added, l.wastedBytes]),
      [
        [0, 'sha256:l0', '/bin/sh -c #(nop) ADD file:abc in / ', 5_000_000, null, null],
        [1, 'sha256:l1', 'RUN /bin/sh -c make # buildkit', 123_456, null, null],
        [2, 'sha256:l2', 'COPY app /app # buildkit', 4096, null, null],
        [3, 'sha256:l3', 'RUN /bin/sh -c rm -rf /tmp/build # buildkit', 0, null, null],
      ],
    )
    assert.deepEqual(report.summary, {
      layers: 4,
      totalBytes: 5_127_552,
      finalBytes: null,
      finalFiles: null,
      wastedBytes: null,
      wastedFiles: null,
      wastedPercent: null,
      dive: null,
    })
    assert.deepEqual([report.image.id, report.image.repoTags, report.approximate], ['sha256:cfg', ['app:1'], false])
    assert.equal(report.layers[0].created, '2023-11-14T22:13:20.000Z')
    assert.deepEqual([report.advice, report.unavailable.includes('advice')], [[], true])
    assertSchema('analyze', report)
  })

  it('inspect alone: the layer digests and the image size', async () => {
    const report = await analyzeJson(['--inspect', inspect])
    assert.deepEqual([report.summary.layers, report.summary.totalBytes, report.layers[2].bytes], [4, 5_127_552, null])
    assert.equal(report.unavailable.includes('layers.bytes'), true)
    const table = await runCli(['analyze', '--inspect', inspect])
    assert.match(table.stdout, /^Total: {2}5\.13MB in 4 layers$/m)
    const markdown = await runCli(['analyze', '--inspect', inspect, '--format', 'markdown'])
    assert.match(markdown.stdout, /^- \*\*Total\*\*: 5\.13MB in 4 layers$/m)
    assert.match(markdown.stdout, /^\| 2 \| {2}\| - \| - \| - \| - \| - \|$/m)
    // the page needs the layers' files
    const html = await runCli(['analyze', '--inspect', inspect, '--format', 'html'])
    assert.deepEqual(
      [html.code, html.stdout, html.stderr],
      [2, '', 'docker-layers: --format html needs the layers: analyze the image or an archive of it\n'],
    )
  })

  it('a history that does not match the inspect file, a SOURCE beside them, and a non-JSON file are input errors', async () => {
    const short = tmp.file('short.json', JSON.stringify(HISTORY_API.slice(0, 3)))
    const mismatch = await runCli(['analyze', '--inspect', inspect, '--history', short])
    assert.deepEqual(
      [mismatch.code, mismatch.stderr],
      [2, 'docker-layers: the history names 2 layers but inspect lists 4: give matching files\n'],
    )
    const both = await runCli(['analyze', 'x.tar', '--inspect', inspect])
    assert.deepEqual([both.code, both.stderr], [2, 'docker-layers: give SOURCE or --inspect/--history, not both\n'])
    const text = await runCli(['analyze', '--history', tmp.file('x.txt', 'not json')])
    assert.equal(text.code, 2)
    assert.match(text.stderr, /^docker-layers: .*x\.txt: not JSON from the history API or docker history/)
    const none = await runCli(['analyze'])
    assert.deepEqual(
      [none.code, none.stderr],
      [2, 'docker-layers: missing SOURCE: an image, an archive, a layout, - for stdin, or --inspect/--history files\n'],
    )
  })
})
