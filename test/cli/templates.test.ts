import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {SAMPLE_PATH} from '../../scripts/make-sample.js'
import {analyzeJson, type CliResult, runCli} from '../helpers/cli.js'
import {legacySave, scratch} from '../helpers/images.js'
import {PEER} from '../helpers/peer.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'

interface GoCase {
  template: string
  expected?: string
  error?: string
}

/** Runs `run` on every item, `width` at a time, keeping their order. */
async function inTurn<T, R>(items: T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await run(items[i])
    }
  }
  await Promise.all(Array.from({length: width}, worker))
  return results
}

describe("--format templates on the command line: Go's text/template as the docker CLI runs it", function () {
  const tmp = scratch()
  after(() => tmp.remove())

  it("the go-templates peer fixture: each template prints what Go's text/template prints, or exits 2", async function () {
    requirePrerequisites(this, 'peerFixtures')
    this.timeout(1_200_000) // 41 runs of the CLI: minutes on a loaded machine under c8
    const {cases, rows} = JSON.parse(readFileSync(`${PEER}go-templates/cases.json`, 'utf8')) as {
      cases: GoCase[]
      rows: Array<{[field: string]: unknown}>
    }
    assert.equal(cases.length, 40)
    assert.deepEqual((await analyzeJson([SAMPLE_PATH])).layers, rows) // the fixture ran on these very rows
    const results = await inTurn(cases, 4, (c) => runCli(['analyze', SAMPLE_PATH, '--format', c.template]))
    const fields = Object.keys(rows[0]).join(', ')
    const ourErrors: {[template: string]: string} = {
      '{{.NoSuchField}}': `no field NoSuchField (fields: ${fields})`,
      '{{nosuchfunc .Index}}':
        `line 1: function "nosuchfunc" not defined (functions: and, call, eq, ge, gt, ` +
        `html, index, join, js, json, le, len, lower, lt, ne, not, or, pad, print, printf, println, slice, split, title, ` +
        `truncate, upper, urlquery; fields: ${fields})`,
      '{{if .Index}}': 'line 1: unexpected EOF',
      '{{.Index': 'line 1: unclosed action',
    }
    cases.forEach((c, i) => {
      const result: CliResult = results[i]
      if (c.error === undefined) assert.deepEqual(result, {code: 0, stdout: c.expected, stderr: ''}, c.template)
      else
        assert.deepEqual(
          result,
          {code: 2, stdout: '', stderr: `docker-layers: --format: ${ourErrors[c.template]}\n`},
          c.template,
        )
    })
    assert.equal(cases.filter((c) => c.error !== undefined).length, Object.keys(ourErrors).length)
  })

  it('analyze: a richer template (a variable, a condition, functions)', async () => {
    const template =
      '{{.Index}}: {{$w := .WastedBytes}}{{if gt $w 0}}{{$w}} bytes wasted by {{truncate (lower .CreatedBy) 24}}{{else}}clean{{end}}'
    const result = await runCli(['analyze', SAMPLE_PATH, '--format', template])
    assert.deepEqual(result, {
      code: 0,
      stdout:
        '0: clean\n' +
        '1: 85000 bytes wasted by run apt-get update && ap\n' +
        '2: clean\n' +
        '3: 32494 bytes wasted by copy . /app # with the d\n' +
        '4: clean\n' +
        '5: clean\n',
      stderr: '',
    })
  })

  it('files (streamed per layer, and as a table), files --tree and waste render templates', async () => {
    const links = await runCli([
      'files',
      SAMPLE_PATH,
      '--layer',
      '0',
      '--format',
      '{{.Path}}{{with .LinkTarget}} -> {{.}}{{end}}',
    ])
    assert.equal(links.stdout, '/bin\n/bin/busybox\n/bin/sh -> busybox\n/etc\n/etc/passwd\n/etc/group\n/root\n/tmp\n')
    const deleted = await runCli([
      'files',
      SAMPLE_PATH,
      '--changes',
      'D',
      '--format',
      'table {{.Layer}}\\t{{.Type}}\\t{{.Path}}',
    ])
    assert.equal(
      deleted.stdout,
      'LAYER   TYPE   PATH\n' +
        '2       file   /var/cache/apt/pkgcache.bin\n' +
        '2       file   /var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages\n' +
        '4       file   /root/.ssh/id_rsa\n',
    )
    const tree = await runCli([
      'files',
      SAMPLE_PATH,
      '--tree',
      '--depth',
      '1',
      '--layer',
      '3',
      '--format',
      '{{.Path}} {{.Bytes}} in {{.Files}}',
    ])
    assert.equal(tree.stdout, '/ 32494 in 3\n/app 30023 in 2\n/root 2471 in 1\n')
    const waste = await runCli([
      'waste',
      SAMPLE_PATH,
      '--format',
      '{{printf "%-13s %6d" .How .Bytes}} {{index (split .Path "/") 1}}',
    ])
    assert.equal(
      waste.stdout,
      'opaque         61000 var\n' +
        'deleted        24000 var\n' +
        'deleted         2471 root\n' +
        'metadata-only  30000 app\n' +
        'metadata-only     23 app\n',
    )
  })

  it('diff renders templates', async () => {
    const T = 1_700_000_000
    const a = tmp.file(
      'a.tar',
      legacySave([
        {
          layers: [
            {
              members: [
                {path: 'f', content: 'aaaa', mtime: T},
                {path: 'g', content: 'x', mtime: T},
              ],
            },
          ],
        },
      ]),
    )
    const b = tmp.file(
      'b.tar',
      legacySave([
        {
          layers: [
            {
              members: [
                {path: 'f', content: 'bbbbbb', mtime: T},
                {path: 'h', content: 'y', mtime: T},
              ],
            },
          ],
        },
      ]),
    )
    const result = await runCli(['diff', a, b, '--format', '{{.Change}} {{.Path}}{{if .Fields}} ({{.Fields}}){{end}}'])
    assert.deepEqual(result, {code: 0, stdout: 'changed /f (bytes)\nremoved /g\nadded /h\n', stderr: ''})
  })
})
