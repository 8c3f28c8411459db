import assert from 'node:assert/strict'
import {fileURLToPath} from 'node:url'

import {runCli} from '../helpers/cli.js'

// What reaches the user when a command meets an error nobody planned for (a bug): one line that says so,
// names the command and its input and asks for the DEBUG=1 output; exit 2; the stack only with DEBUG.
const BROKEN = fileURLToPath(new URL('../helpers/broken-command.ts', import.meta.url))
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, {command: [process.execPath, '--import', 'tsx', BROKEN], env})

describe('the last-resort handler', function () {
  this.timeout(60_000)

  it('a stack overflow is one line naming the command and its input, with exit 2', async () => {
    const result = await run(['overflow', 'my image.tar'])
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [
        2,
        '',
        "docker-layers: a bug in docker-layers: `docker-layers analyze overflow 'my image.tar'` failed with " +
          'RangeError: Maximum call stack size exceeded; please report it with the output of `DEBUG=1 docker-layers ' +
          "analyze overflow 'my image.tar'`\n",
      ],
    )
  })

  it('a TypeError too; with DEBUG the stack follows the line', async () => {
    const plain = await run(['type', 'app.tar'])
    assert.deepEqual(
      [plain.code, plain.stderr],
      [
        2,
        'docker-layers: a bug in docker-layers: `docker-layers analyze type app.tar` failed with TypeError: ' +
          "Cannot read properties of null (reading 'layers'); please report it with the output of `DEBUG=1 " +
          'docker-layers analyze type app.tar`\n',
      ],
    )
    const debug = await run(['type', 'app.tar'], {DEBUG: '1'})
    const lines = debug.stderr.split('\n')
    assert.equal(debug.code, 2)
    assert.equal(lines[0], plain.stderr.trimEnd())
    assert.equal(lines[1], "TypeError: Cannot read properties of null (reading 'layers')")
    assert.match(lines[2], /^ {4}at .*broken-command\.ts:\d+:\d+\)?$/)
  })

  it("an error of the system (an errno) is the user's to act on, not a bug", async () => {
    const result = await run(['errno', 'app.tar'])
    assert.deepEqual([result.code, result.stderr], [2, 'docker-layers: ENOSPC: no space left on device, write\n'])
  })
})
