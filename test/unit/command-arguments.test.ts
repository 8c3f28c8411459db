import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {type Command, Parser} from '@oclif/core'

const COMMANDS = fileURLToPath(new URL('../../src/commands/', import.meta.url))

/** Every command class, by id (`hook:install`), from src/commands. */
async function commands(): Promise<Array<[string, Command.Class]>> {
  const files = readdirSync(COMMANDS, {recursive: true, encoding: 'utf8'}).filter((file) => file.endsWith('.ts'))
  const loaded = await Promise.all(
    files.sort().map(async (file) => {
      const module = (await import(`${COMMANDS}${file}`)) as {default: Command.Class}
      return [file.replace(/\.ts$/, '').replaceAll('/', ':'), module.default] as [string, Command.Class]
    }),
  )
  return loaded
}

describe('command arguments', () => {
  // oclif reads an argument left out from a piped stdin (its parser keeps what it read in globalThis.oclif's
  // stdinCache, and answers from there at once): a git pre-push hook's ref lines were taken for check's SOURCE
  it('an argument left out is never read from stdin, which is an image archive asked for with -', async () => {
    const oclif = globalThis as {oclif?: {stdinCache?: string}}
    const saved = {cache: oclif.oclif, isTTY: process.stdin.isTTY}
    oclif.oclif = {...oclif.oclif, stdinCache: 'HEAD 27d2bbb refs/heads/main 0000000'}
    process.stdin.isTTY = false
    try {
      const seen: Record<string, Record<string, unknown>> = {}
      for (const [id, command] of await commands()) {
        const parsed = await Parser.parse([], {args: command.args ?? {}, flags: {}, strict: false}).catch(
          (error: Error) => ({args: {error: error.message.split('\n')[0]}}),
        )
        seen[id] = parsed.args
      }
      assert.deepEqual(seen, {
        analyze: {},
        'autocomplete:fish': {},
        check: {},
        container: {error: 'Missing 1 required arg:'},
        diff: {error: 'Missing 2 required args:'},
        files: {error: 'Missing 1 required arg:'},
        flatten: {error: 'Missing 1 required arg:'},
        'hook:install': {},
        'hook:uninstall': {},
        'plugin:install': {},
        'plugin:uninstall': {},
        waste: {error: 'Missing 1 required arg:'},
      })
    } finally {
      oclif.oclif = saved.cache
      process.stdin.isTTY = saved.isTTY
    }
  })
})
