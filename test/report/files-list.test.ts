import assert from 'node:assert/strict'
import {Writable} from 'node:stream'

import type {FileChange, FilesList} from '../../src/analysis/files.js'
import {writeFilesList} from '../../src/report/files-list.js'
import {StreamWriter} from '../../src/report/stream-writer.js'

const change = (layer: number, path: string, extra: Partial<FileChange> = {}): FileChange => ({
  layer,
  change: 'A',
  path,
  type: 'file',
  bytes: 1500,
  mode: '0644',
  uid: 0,
  gid: 0,
  linkTarget: null,
  ...extra,
})

const LAYERS: FileChange[][] = [
  [change(0, '/etc/passwd'), change(0, '/bin/sh', {type: 'symlink', bytes: 0, mode: '0777', linkTarget: 'busybox'})],
  [],
  [change(2, '/etc/passwd', {change: 'D', bytes: 1500}), change(2, '/app/a,b', {uid: 1000, gid: 1000, bytes: 2})],
]

/** Writes the list through a StreamWriter into a string, counting the writes that reached the stream. */
async function written(format: string, layers = LAYERS, highWater = 1 << 16): Promise<{text: string; writes: number}> {
  const chunks: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  const list: FilesList = {
    head: {
      schemaVersion: 2,
      source: {kind: 'docker-archive', name: 'app.tar', format: 'docker-legacy'},
      image: {id: 'sha256:c0', repoTags: ['app:1'], os: 'linux', architecture: 'amd64', created: null},
    },
    layers,
  }
  await writeFilesList(new StreamWriter(sink, highWater), format, list)
  return {text: chunks.join(''), writes: chunks.length}
}

describe("files' list writer: streamed a layer at a time", () => {
  it('table: a fixed-width line per change, sizes for files and deletions only, link targets after ->', async () => {
    assert.equal(
      (await written('table')).text,
      'LAYER  C  TYPE     MODE  UID:GID         SIZE  PATH\n' +
        '    0  A  file     0644  0:0            1.5kB  /etc/passwd\n' +
        '    0  A  symlink  0777  0:0                -  /bin/sh -> busybox\n' +
        '    2  D  file     0644  0:0            1.5kB  /etc/passwd\n' +
        '    2  A  file     0644  1000:1000         2B  /app/a,b\n',
    )
  })

  it('json: one document, exactly as every report is written (pretty, two spaces)', async () => {
    const {text} = await written('json')
    const report = {
      schemaVersion: 2,
      source: {kind: 'docker-archive', name: 'app.tar', format: 'docker-legacy'},
      image: {id: 'sha256:c0', repoTags: ['app:1'], os: 'linux', architecture: 'amd64', created: null},
      files: LAYERS.flat(),
    }
    assert.equal(text, `${JSON.stringify(report, null, 2)}\n`)
    assert.equal((await written('json', [[], []])).text, `${JSON.stringify({...report, files: []}, null, 2)}\n`)
  })

  it('jsonl: a change a line, nothing else', async () => {
    assert.equal(
      (await written('jsonl')).text,
      '{"layer":0,"change":"A","path":"/etc/passwd","type":"file","bytes":1500,"mode":"0644","uid":0,"gid":0,"linkTarget":null}\n' +
        '{"layer":0,"change":"A","path":"/bin/sh","type":"symlink","bytes":0,"mode":"0777","uid":0,"gid":0,"linkTarget":"busybox"}\n' +
        '{"layer":2,"change":"D","path":"/etc/passwd","type":"file","bytes":1500,"mode":"0644","uid":0,"gid":0,"linkTarget":null}\n' +
        '{"layer":2,"change":"A","path":"/app/a,b","type":"file","bytes":2,"mode":"0644","uid":1000,"gid":1000,"linkTarget":null}\n',
    )
  })

  it('csv: a header, then a line per change', async () => {
    assert.equal(
      (await written('csv')).text,
      '"layer","change","path","type","bytes","mode","uid","gid","linkTarget"\n' +
        '0,"A","/etc/passwd","file",1500,"0644",0,0,\n' +
        '0,"A","/bin/sh","symlink",0,"0777",0,0,"busybox"\n' +
        '2,"D","/etc/passwd","file",1500,"0644",0,0,\n' +
        '2,"A","/app/a,b","file",2,"0644",1000,1000,\n',
    )
  })

  it("Go templates: a line per change; a 'table' template aligns the columns over all layers", async () => {
    assert.equal((await written('{{.Layer}} {{.Path}}')).text, '0 /etc/passwd\n0 /bin/sh\n2 /etc/passwd\n2 /app/a,b\n')
    assert.equal(
      (await written('table {{.Path}}\\t{{.Bytes}}')).text,
      'PATH          BYTES\n/etc/passwd   1500\n/bin/sh       0\n/etc/passwd   1500\n/app/a,b      2\n',
    )
  })

  it('reaches the stream as it goes, not as one string at the end', async () => {
    const many = Array.from({length: 50}, (_, layer) => [change(layer, `/file-${layer}`)])
    const {text, writes} = await written('table', many, 1000)
    assert.equal(text.split('\n').length, 52)
    // 52 + 50 lines of 55-56 bytes: the writer passes 1000 bytes twice, then flushes the rest
    assert.equal(writes, 3)
  })
})
