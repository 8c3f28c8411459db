import type {Hook} from '@oclif/core'
import {closest, distance} from 'fastest-levenshtein'

/**
 * An unknown command is a usage error: one line naming the word that is no command (oclif glues the arguments
 * that follow it into its id), the nearest command when one is close, exit 2.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const {config} = options
  const words = options.id.split(':')
  // topics (`hook`, `plugin`) are commands' first words: the unknown command ends at the first word after them
  let known = 0
  while (known < words.length - 1 && config.findTopic(words.slice(0, known + 1).join(':'))) known++
  const typed = words.slice(0, known + 1).join(' ')
  const commands = config.commands
    .filter((command) => !command.hidden)
    .map((command) => command.id.replaceAll(':', ' '))
  const nearest = closest(typed, commands)
  const close = distance(typed, nearest) <= Math.max(2, Math.floor(typed.length / 3))
  process.stderr.write(
    `${config.bin}: unknown command "${typed}"; ${close ? `did you mean "${nearest}"?` : `see ${config.bin} help`}\n`,
  )
  this.exit(2)
}

export default hook
