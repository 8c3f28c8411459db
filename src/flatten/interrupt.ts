import {InputError} from '../errors.js'

/** Steps that undo what a command left half-done (a temporary file, an open image), run newest first. */
export class Cleanup {
  private readonly steps: Array<() => Promise<void>> = []

  add(step: () => Promise<void>): void {
    this.steps.push(step)
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => {})
  }
}

/** SIGINT or SIGTERM arrived: nothing was written. Exits 128 + the signal's number, as shells report it. */
export class Interrupted extends InputError {
  override readonly exitCode: number

  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}; nothing was written`)
    this.exitCode = signal === 'SIGINT' ? 130 : 143
  }
}

/**
 * Runs `work` so that SIGINT or SIGTERM end it at once: `cleanup` runs (temporary files go) and the promise rejects
 * with `Interrupted`, which the command layer reports; the process then exits without waiting for `work`.
 */
export async function interruptible<T>(work: () => Promise<T>, cleanup: Cleanup): Promise<T> {
  let stop: (signal: 'SIGINT' | 'SIGTERM') => void = () => {}
  let stopped = false
  const interrupted = new Promise<never>((_, reject) => {
    stop = (signal) => {
      stopped = true
      void cleanup.run().finally(() => reject(new Interrupted(signal)))
    }
  })
  const onSigint = () => stop('SIGINT')
  const onSigterm = () => stop('SIGTERM')
  process.once('SIGINT', onSigint)
  process.once('SIGTERM', onSigterm)
  try {
    return await Promise.race([work(), interrupted])
  } catch (error) {
    // the cleanup can end the work first (a push's requests are aborted): what happened is still the signal
    if (stopped) await interrupted
    throw error
  } finally {
    process.removeListener('SIGINT', onSigint)
    process.removeListener('SIGTERM', onSigterm)
    await cleanup.run()
  }
}
