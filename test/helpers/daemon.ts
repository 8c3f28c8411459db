import type {ChildProcess} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {type AddressInfo, connect, createServer} from 'node:net'

/** A TCP port free on loopback now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Whether something accepts connections on the loopback port. */
export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Waits until `ready()` says a private daemon the tests started answers; throws with the end of its log (and what
 * `ready` last said) when it exits first or the time runs out.
 */
export async function awaitDaemon(
  what: string,
  child: ChildProcess,
  ready: () => Promise<true | string>,
  options: {log?: string; seconds: number; pollMs: number},
): Promise<void> {
  const deadline = Date.now() + options.seconds * 1000
  for (;;) {
    const answer = await ready()
    if (answer === true) return
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = options.log && existsSync(options.log) ? readFileSync(options.log, 'utf8') : ''
      throw new Error(`${what} did not start: ${[answer, text.slice(-2000)].filter(Boolean).join(' ')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs))
  }
}

/** Stops a daemon the tests started (SIGTERM) and waits up to `seconds` for its pid to go. */
export async function stopDaemon(child: ChildProcess, seconds: number): Promise<void> {
  const pid = child.pid
  if (!pid || child.exitCode !== null) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return // already gone
  }
  const until = Date.now() + seconds * 1000
  while (Date.now() < until) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
