// A command with a bug on purpose, run as its own process by test/cli/last-resort.test.ts: what a user sees
// when docker-layers meets an error nobody planned for. Its first argument picks the error.
import {Args, flush, handle} from '@oclif/core'

import {BaseCommand} from '../../src/base-command.js'

class Broken extends BaseCommand {
  static override id = 'analyze'
  static override args = {error: Args.string({required: true}), input: Args.string()}

  async run(): Promise<void> {
    const {args} = await this.parse(Broken)
    if (args.error === 'overflow') {
      const deeper = (depth: number): number => deeper(depth + 1) + 1
      deeper(0)
    }
    if (args.error === 'type') (JSON.parse('null') as {layers: unknown[]}).layers.push(1)
    if (args.error === 'errno')
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
  }
}

// as bin/run.js's execute() ends a command: its exit code through oclif's handler
await Broken.run(process.argv.slice(2), import.meta.url).then(async () => flush(), handle)
