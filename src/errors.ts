/**
 * Errors the command layer turns into exit codes. Library code throws these and never prints or exits.
 * An InputError (bad input, usage, unreachable engine) ends in one line on stderr and exit 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
  readonly exitCode: number = 2
}
