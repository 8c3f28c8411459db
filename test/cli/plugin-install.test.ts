import assert from 'node:assert/strict'
import {lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {BIN, runCli} from '../helpers/cli.js'
import {scratch} from '../helpers/images.js'

describe('plugin install and uninstall in a docker CLI config of their own', () => {
  const tmp = scratch()
  after(() => tmp.remove())

  it('links bin/run.js, replaces its own link, and leaves a file it did not make as it is', async () => {
    const config = join(tmp.dir, 'docker')
    const link = join(config, 'cli-plugins', 'docker-layers')
    const env = {DOCKER_CONFIG: config}
    for (let i = 0; i < 2; i++) {
      const install = await runCli(['plugin', 'install'], {env})
      assert.deepEqual(
        [install.code, install.stderr, install.stdout],
        [0, '', `Installed ${link} -> ${BIN}\nTry: docker layers --help\n`],
      )
      assert.deepEqual([lstatSync(link).isSymbolicLink(), readlinkSync(link)], [true, BIN])
    }
    const removed = await runCli(['plugin', 'uninstall'], {env})
    assert.deepEqual([removed.code, removed.stderr, removed.stdout], [0, '', `Removed ${link}\n`])
    const again = await runCli(['plugin', 'uninstall'], {env})
    assert.deepEqual([again.code, again.stderr, again.stdout], [0, '', `No plugin link at ${link}\n`])
    // another plugin binary under our name: neither install nor uninstall touches it
    mkdirSync(join(config, 'cli-plugins'), {recursive: true})
    writeFileSync(link, '#!/bin/sh\necho someone else\n')
    for (const command of ['install', 'uninstall']) {
      const result = await runCli(['plugin', command, '--config', config])
      assert.deepEqual(
        [result.code, result.stdout, result.stderr],
        [2, '', `docker-layers: ${link} exists and is not a link made by docker-layers; remove it first\n`],
      )
      assert.equal(readFileSync(link, 'utf8'), '#!/bin/sh\necho someone else\n')
    }
  })
})
