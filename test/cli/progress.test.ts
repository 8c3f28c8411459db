import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

import {BIN, runCli} from '../helpers/cli.js'
import {legacySave, scratch} from '../helpers/images.js'

describe('progress on stderr', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const archive = tmp.file(
    'big.tar',
    legacySave([{tag: 'big:1', layers: [{members: [{path: 'blob', size: 64 << 20}]}]}], {compression: 'gzip'}),
  )

  /** Runs the CLI with a pseudo-terminal on stderr (util-linux script), returning what the terminal got. */
  function underTty(args: string[]): string {
    const log = `${tmp.dir}/tty.log`
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
    const run = spawnSync('script', ['-qec', `${command} > ${tmp.dir}/out.json`, log], {
      env: {...process.env, DOCKER_LAYERS_PROGRESS_DELAY_MS: '0'},
    })
    assert.equal(run.status, 0, run.stderr?.toString())
    return readFileSync(log, 'utf8')
  }

  it('shows bytes, layers, rate and ETA on a TTY, then erases itself', () => {
    const screen = underTty(['analyze', archive, '--format', 'json'])
    assert.match(
      screen,
      new RegExp(
        `\\r\\u001B\\[2Kreading ${archive.replaceAll('/', '\\/')}  [\\d.]+[kMG]?B / [\\d.]+[kMG]?B  layer 1/1  [\\d.]+[kMG]?B/s`,
      ),
    )
    // eslint-disable-next-line no-control-regex -- the terminal's own escape sequence is what is checked
    assert.match(screen, /\r\u001B\[2K\r?\n(Script done[^\n]*\n)?$/)
    assert.equal(JSON.parse(readFileSync(`${tmp.dir}/out.json`, 'utf8')).summary.totalBytes, 64 << 20)
  })

  it('flatten shows each phase: reading the source, writing (and compressing) the layer, verifying what it wrote', () => {
    const out = `${tmp.dir}/flat.tar`
    const screen = underTty(['flatten', archive, '-o', out, '--compress', 'gzip', '--verify', '--format', 'json'])
    // (the rate and ETA after the layer may be cut at the terminal's 80 columns)
    const line = (label: string, total: string, layer: string) =>
      new RegExp(`\\r\\u001B\\[2K${label}  [\\d.]+[kMG]?B / ${total}  layer ${layer}  `)
    // the squashed layer's tar: the 64 MiB file (67,108,864 B), its header and the end blocks, 67.1MB
    assert.match(screen, line(`reading ${archive.replaceAll('/', '\\/')}`, '[\\d.]+[kMG]?B', '1/1'))
    assert.match(screen, line(`writing ${out.replaceAll('/', '\\/')} \\(gzip\\)`, '67.1MB', '1/1'))
    assert.match(screen, line(`verifying ${out.replaceAll('/', '\\/')}`, '[\\d.]+[kMG]?B', '1/1'))
    // eslint-disable-next-line no-control-regex -- the terminal's own escape sequence is what is checked
    assert.match(screen, /\r\u001B\[2K\r?\n(Script done[^\n]*\n)?$/)
    assert.equal(JSON.parse(readFileSync(`${tmp.dir}/out.json`, 'utf8')).verified, 1)
  })

  it('stays quiet with --quiet and when stderr is not a TTY', async () => {
    assert.doesNotMatch(underTty(['analyze', archive, '--quiet', '--format', 'json']), /reading/)
    const piped = await runCli(['analyze', archive, '--format', 'json'], {env: {DOCKER_LAYERS_PROGRESS_DELAY_MS: '0'}})
    assert.deepEqual([piped.code, piped.stderr], [0, ''])
  })
})
