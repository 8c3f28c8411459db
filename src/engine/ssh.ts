import {type ChildProcessByStdio, spawn} from 'node:child_process'
import {Agent} from 'node:http'
import type {Socket} from 'node:net'
import {Duplex, type Readable, type Writable} from 'node:stream'

import {InputError} from '../errors.js'

/** Why an ssh connection to the engine failed, in words a person can act on. */
export class SshConnectionError extends Error {
  override readonly name = 'SshConnectionError'
}

/**
 * The system ssh's arguments for an ssh:// engine address, as the docker CLI's connection helper builds them:
 * `[-l user] [-p port] -o ConnectTimeout=30 -T -- host docker [--host=unix://PATH] system dial-stdio`.
 * ssh itself applies the user's ssh config, keys, agent, known_hosts and ProxyJump.
 */
export function sshArguments(address: string): string[] {
  const url = new URL(address)
  if (url.password) throw new InputError(`${address}: a password in an ssh address is not supported`)
  if (!url.hostname) throw new InputError(`${address}: no host`)
  if (url.search || url.hash) throw new InputError(`${address}: an ssh address takes no query or fragment`)
  const path = decodeURIComponent(url.pathname)
  const remote = path.replaceAll('/', '') === '' ? [] : [`--host=unix://${path}`]
  return [
    ...(url.username ? ['-l', decodeURIComponent(url.username)] : []),
    ...(url.port ? ['-p', url.port] : []),
    '-o',
    'ConnectTimeout=30',
    '-T',
    '--',
    url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ['docker', ...remote, 'system', 'dial-stdio'].map(quote).join(' '),
  ]
}

/** POSIX shell quoting: the remote command reaches a shell on the ssh host. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/** The last non-empty line a command wrote on stderr. */
function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .pop() ?? ''
  )
}

/**
 * One connection to the engine: `ssh … docker system dial-stdio`, HTTP written to its stdin and read from its
 * stdout. The end of its stdout is held back until ssh has exited, so a failure (ssh's own, status 255, or the
 * remote docker's) reaches the HTTP request as an error saying what went wrong rather than as a hang-up.
 */
class SshConnection extends Duplex {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>
  private stderr = ''
  private exited = false

  constructor(
    private readonly host: string,
    args: string[],
  ) {
    super()
    this.child = spawn('ssh', args, {stdio: ['pipe', 'pipe', 'pipe']})
    const {child} = this
    child.stdin.on('error', () => {}) // ssh is gone: its exit status says why
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8192)
    })
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause()
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.exited = true
      this.destroy(
        new SshConnectionError(
          error.code === 'ENOENT'
            ? 'no ssh command on PATH (install an OpenSSH client)'
            : `cannot run ssh: ${error.message}`,
        ),
      )
    })
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      this.exited = true
      if (this.destroyed) return
      if (code !== 0 && !this.writableEnded) {
        this.destroy(this.failure(code, signal))
        return
      }
      this.push(null)
      if (!this.writableEnded) this.end()
    })
  }

  private failure(code: number | null, signal: NodeJS.Signals | null): SshConnectionError {
    const said = lastLine(this.stderr)
    const status = signal ? `ssh was ended by ${signal}` : `exit status ${code}`
    if (code === 255) return new SshConnectionError(`ssh failed: ${said || status}`)
    if (code === 127) return new SshConnectionError(`${this.host} has no docker command (${said || status})`)
    return new SshConnectionError(
      `ssh reached ${this.host}, but its docker could not reach an engine: ${said || status}`,
    )
  }

  /** While the agent keeps the connection for the next request, it does not keep the process alive. */
  unref(): void {
    this.child.unref()
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as Socket).unref()
  }

  ref(): void {
    this.child.ref()
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as Socket).ref()
  }

  override _read(): void {
    this.child.stdout.resume()
  }

  // Write errors are ssh's exit, which 'close' reports with ssh's own words.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.child.stdin.write(chunk, () => callback())
  }

  override _final(callback: () => void): void {
    this.child.stdin.end()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.exited) this.child.kill('SIGTERM')
    callback(error)
  }
}

/**
 * An http agent whose connections are `ssh … docker system dial-stdio` processes (the docker CLI's connection
 * helper for ssh:// engines), kept for the next request as the docker CLI keeps its connections.
 */
export class SshAgent extends Agent {
  private readonly args: string[]
  private readonly host: string

  constructor(address: string) {
    super({keepAlive: true})
    this.args = sshArguments(address)
    this.host = new URL(address).hostname
  }

  override createConnection(): Duplex {
    return new SshConnection(this.host, this.args)
  }

  override keepSocketAlive(socket: Duplex): boolean {
    ;(socket as SshConnection).unref()
    return true
  }

  override reuseSocket(socket: Duplex): void {
    ;(socket as SshConnection).ref()
  }
}
