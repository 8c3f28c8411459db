import {Args, Command, Errors, Flags} from '@oclif/core'

import {InputError} from './errors.js'
import type {EngineOptions} from './engine/context.js'
import type {RegistryOptions} from './registry/client.js'
import type {TableOptions} from './report/plain-table.js'
import {showProgress} from './report/progress-bar.js'
import {terminalWidth} from './report/terminal-width.js'
import type {Image} from './image/image.js'
import {ReadProgress} from './image/progress.js'
import type {EngineVia} from './sources/daemon.js'
import {openImage} from './sources/open.js'

/**
 * A command's argument, a string. oclif reads an argument left out from a piped stdin (what arrives before it
 * closes, within 10 ms); here stdin is only ever an image archive, asked for with `-`, so that is off: a git
 * pre-push hook's ref lines became check's SOURCE (an engine image named `HEAD 27d2bbb… refs/heads/main 0000…`)
 * whenever git closed the pipe in time.
 */
export const argument = Args.custom<string>({ignoreStdin: true})

/** Flags every command that may talk to the engine shares (docker's global flags, for standalone use). */
export const engineFlags = {
  context: Flags.string({
    char: 'c',
    description: 'docker context to use (overrides DOCKER_HOST and the current context)',
    helpGroup: 'ENGINE',
  }),
  host: Flags.string({char: 'H', description: 'engine address, e.g. unix:///var/run/docker.sock', helpGroup: 'ENGINE'}),
}

/** --quiet, for every command that reads images. */
export const quietFlag = Flags.boolean({char: 'q', description: 'no progress display on stderr'})

/** --no-trunc, for every command whose tables cut commands or paths to fit the terminal. */
export const noTruncFlag = Flags.boolean({
  description: "don't truncate: whole commands and paths, tables as wide as they need (else they fit the terminal)",
})

/** How the tables of a command with --no-trunc meet the terminal: fitted to COLUMNS or its width, unless --no-trunc. */
export function tableOptions(flags: {'no-trunc': boolean}): TableOptions {
  return {noTrunc: flags['no-trunc'], width: terminalWidth(process.env, process.stdout)}
}

/** How a registry (`docker://…`) is reached, with skopeo's flag names. */
export const registryFlags = {
  creds: Flags.string({
    description: 'USER:PASS for the registry (else docker and podman credentials)',
    helpGroup: 'REGISTRY',
  }),
  'tls-verify': Flags.string({
    description: "verify the registry's TLS certificate and require HTTPS (loopback registries may be HTTP)",
    options: ['true', 'false'],
    default: 'true',
    helpGroup: 'REGISTRY',
  }),
}

/** The flags of every command that reads an image: which image, which platform, quiet, the engine, a registry. */
export const sourceFlags = {
  image: Flags.string({description: 'REPO:TAG to read from an archive holding several images'}),
  platform: Flags.string({description: 'os/arch[/variant] to read from a multi-platform index'}),
  quiet: quietFlag,
  via: Flags.string({
    description:
      "how to read an engine image: from the engine's own store (its layer store, or containerd's content " +
      'store; a local engine, its data readable), through docker save, or auto (the store when it can be)',
    options: ['auto', 'store', 'save'],
    default: 'auto',
    helpGroup: 'ENGINE',
  }),
  ...engineFlags,
  ...registryFlags,
}

type SourceFlags = {
  image?: string
  platform?: string
  quiet: boolean
  via?: string
  context?: string
  host?: string
} & RegistryFlags
type RegistryFlags = {creds?: string; 'tls-verify'?: string}

export function engineOptions(flags: {context?: string; host?: string}): EngineOptions {
  return {context: flags.context, host: flags.host}
}

export function registryOptions(flags: RegistryFlags): RegistryOptions {
  return {creds: flags.creds, tlsVerify: flags['tls-verify'] !== 'false'}
}

/**
 * An error the user can act on: bad input or usage (InputError, oclif's parse errors), or the system's (an
 * errno such as EPIPE, ENOSPC or ECONNRESET). Anything else (a TypeError, a RangeError, a broken invariant) is
 * a bug in docker-layers.
 */
function expected(error: unknown): boolean {
  if (error instanceof InputError || error instanceof Errors.CLIError) return true
  const code = (error as {code?: unknown} | undefined)?.code
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)
}

/** Arguments as a shell would take them back. */
function shellWords(args: string[]): string {
  return args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ')
}

/**
 * The only place that turns errors into output and exit codes: one line on stderr, exit 2 for usage and
 * input errors, the stack only when DEBUG is set. The last resort too: an unexpected error is reported as
 * a bug, in one line naming the command and its input, never as a bare JavaScript error.
 */
export abstract class BaseCommand extends Command {
  /** Images opened and not yet closed (the command's end closes them), with how many of their notes are out. */
  private readonly opened = new Map<Image, number>()
  /** Erases the progress line of the phase shown now (nothing when none is). */
  private endPhase = () => {}
  /** Notes printed: each is said once, though two images or two passes over one may find it. */
  private readonly said = new Set<string>()

  protected override async catch(error: Error & {exitCode?: number; args?: unknown[]}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    if (!expected(error)) {
      const command = `${this.config.bin} ${shellWords([...(this.id ?? '').split(':'), ...this.argv])}`
      const what = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replaceAll('\n', ' ')
      process.stderr.write(
        `${this.config.bin}: a bug in docker-layers: \`${command}\` failed with ${what}; please report it with ` +
          `the output of \`DEBUG=1 ${command}\`\n`,
      )
      if (process.env.DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : error}\n`)
      this.exit(2)
    }
    const message = this.missingArguments(error) ?? this.oneLine(error)
    process.stderr.write(`${this.config.bin}: ${message}\n`)
    if (process.env.DEBUG) process.stderr.write(`${error.stack}\n`)
    this.exit(error.exitCode === 1 || (error.exitCode ?? 0) > 128 ? (error.exitCode as number) : 2)
  }

  /**
   * oclif's missing-argument error (its RequiredArgsError, not exported: known by the arguments it carries) as one
   * line: which argument, what it is, and the usage.
   */
  private missingArguments(error: {args?: unknown[]}): string | undefined {
    const missing = error.args?.filter((arg): arg is {name: string; description?: string} => {
      return typeof arg === 'object' && arg !== null && 'name' in arg
    })
    if (!missing || missing.length === 0 || missing.length !== error.args?.length) return undefined
    const named = missing.map((arg) => `${arg.name.toUpperCase()}${arg.description ? ` (${arg.description})` : ''}`)
    const usage = Object.values(this.ctor.args ?? {}).map((arg) =>
      arg.required ? arg.name.toUpperCase() : `[${arg.name.toUpperCase()}]`,
    )
    return (
      `missing argument${named.length > 1 ? 's' : ''} ${named.join(' and ')}; ` +
      `usage: ${[this.config.bin, this.id?.replaceAll(':', ' '), ...usage].join(' ')}`
    )
  }

  private oneLine(error: Error): string {
    const lines = (error.message || String(error))
      .split('\n')
      .map((line) => line.trim())
      .filter(
        (line) =>
          line !== '' && !/^(The following errors? occurred:|See more help with --help|Parsing --[\w-]+)$/.test(line),
      )
    return (lines.join('; ') || 'failed').replace(/^Error: /, '')
  }

  /** Writes a report to stdout, waiting for the pipe to take it. */
  protected async emit(text: string): Promise<void> {
    for (const image of this.opened.keys()) this.printNotes(image)
    if (text === '') return
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (error) => (error ? reject(error) : resolve()))
    })
  }

  /**
   * Starts a phase of long work: its progress line on stderr (a TTY only, and not with --quiet) replaces the
   * previous phase's until the next phase or the end of the command.
   */
  protected phase(label: string, quiet: boolean): ReadProgress {
    this.endPhase()
    const progress = new ReadProgress()
    this.endPhase = quiet ? () => {} : showProgress(progress, label)
    return progress
  }

  /** Runs a read as a phase of its own, its progress line erased when it ends. */
  protected async withProgress<T>(
    label: string,
    quiet: boolean,
    read: (progress: ReadProgress) => Promise<T>,
  ): Promise<T> {
    try {
      return await read(this.phase(label, quiet))
    } finally {
      this.endPhase()
      this.endPhase = () => {}
    }
  }

  /**
   * Opens SOURCE as the source flags say, with progress, and prints the source's notes. The image stays open
   * (files, a spool) until it is closed or the command ends.
   */
  protected async openImage(
    source: string,
    flags: SourceFlags,
    {label, ...options}: {hash?: boolean; randomAccess?: boolean; label?: string} = {},
  ): Promise<Image> {
    const image = await this.withProgress(label ?? `reading ${source}`, flags.quiet, (progress) =>
      openImage(source, {
        image: flags.image,
        platform: flags.platform,
        engine: engineOptions(flags),
        via: flags.via as EngineVia | undefined,
        registry: registryOptions(flags),
        progress,
        ...options,
      }),
    )
    const tracked: Image = {
      ...image,
      close: async () => {
        this.printNotes(tracked)
        this.opened.delete(tracked)
        await image.close()
      },
    }
    this.opened.set(tracked, 0)
    this.printNotes(tracked)
    return tracked
  }

  /**
   * Prints the notes an image gained since the last call: the source's when it is opened, then what the
   * analyses found in it (invalid hardlinks), before the report and when the image is closed.
   */
  private printNotes(image: Image): void {
    for (let index = this.opened.get(image) ?? 0; index < image.notes.length; index++) {
      const note = image.notes[index]
      if (this.said.has(note)) continue
      this.said.add(note)
      this.note(note)
    }
    this.opened.set(image, image.notes.length)
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.endPhase()
    await Promise.all([...this.opened.keys()].map((image) => image.close()))
    return super.finally(error)
  }

  protected note(text: string): void {
    process.stderr.write(`note: ${text}\n`)
  }
}
