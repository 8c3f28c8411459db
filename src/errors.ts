/**
 * Errors the command layer turns into exit codes. Library code throws these and never prints or exits.
 * An InputError (bad input, usage, unreachable engine) ends in one line on stderr and exit 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
  readonly exitCode = 2
}

/** Wraps a lower-level error with the thing being read ("layer 3 (sha256:ab12…)"), go-containerregistry style. */
export function withContext(context: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error)
  return new InputError(`${context}: ${message}`)
}

/** Runs `fn`, rewording any error as an InputError prefixed with `context`. */
export async function inContext<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw withContext(context, error)
  }
}
