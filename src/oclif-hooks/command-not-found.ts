import type {Hook} from '@oclif/core'

/** An unknown command is a usage error: one line, exit 2, as for every other bad input. */
const hook: Hook.CommandNotFound = async function (options) {
  process.stderr.write(
    `docker-layers: unknown command "${options.id.replaceAll(':', ' ')}" (see docker-layers --help)\n`,
  )
  this.exit(2)
}

export default hook
