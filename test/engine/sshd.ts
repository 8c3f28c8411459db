import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {awaitDaemon, freePort, portOpen, stopDaemon} from '../helpers/daemon.js'
import {HOST} from '../helpers/prerequisites.js'

/** One Host alias of the test's ssh config, with a key of its own in the server's authorized_keys. */
export interface SshAlias {
  /** `environment="NAME=value"` options on this alias's key (sshd has PermitUserEnvironment). */
  environment?: Record<string, string>
  /** This alias's known_hosts holds another host key than the server's, as after a man in the middle. */
  wrongHostKey?: boolean
  /** Reach the server through another alias, as ~/.ssh/config's ProxyJump does. */
  proxyJump?: string
}

/**
 * A private sshd on loopback (its own host key, config and port, keys only) and the client side a user would
 * have: a key per alias (no agent), known_hosts, and an ssh config; `bin/ssh` runs the system ssh with `-F`
 * that config, as ~/.ssh/config would apply, so `bin` first on PATH is all a client needs.
 */
export interface PrivateSshd {
  dir: string
  port: number
  /** The directory holding the `ssh` wrapper, to put first on PATH. */
  bin: string
  stop(): Promise<void>
}

function keygen(path: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path])
  return readFileSync(`${path}.pub`, 'utf8').trim()
}

export async function startSshd(aliases: Record<string, SshAlias>): Promise<PrivateSshd> {
  const dir = mkdtempSync('/tmp/dl-sshd-')
  const port = await freePort()
  const hostKey = join(dir, 'ssh_host_ed25519_key')
  const hostPublic = keygen(hostKey)
  const impostorPublic = keygen(join(dir, 'impostor_host_key'))
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPublic}\n`)
  writeFileSync(join(dir, 'known_hosts_wrong'), `[127.0.0.1]:${port} ${impostorPublic}\n`)
  const authorized: string[] = []
  const config: string[] = []
  for (const [alias, settings] of Object.entries(aliases)) {
    const key = join(dir, `id_${alias}`)
    const options = Object.entries(settings.environment ?? {}).map(([name, value]) => `environment="${name}=${value}"`)
    authorized.push(`${options.join(',')}${options.length > 0 ? ' ' : ''}${keygen(key)}`)
    config.push(`Host ${alias}`, `  IdentityFile ${key}`)
    if (settings.wrongHostKey) config.push(`  UserKnownHostsFile ${join(dir, 'known_hosts_wrong')}`)
    if (settings.proxyJump) config.push(`  ProxyJump ${settings.proxyJump}`)
  }
  config.push(
    'Host *',
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    '  User root',
    `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  IdentitiesOnly yes',
    '  BatchMode yes',
    '  LogLevel ERROR',
  )
  writeFileSync(join(dir, 'authorized_keys'), `${authorized.join('\n')}\n`)
  writeFileSync(join(dir, 'ssh_config'), `${config.join('\n')}\n`)
  const sshdConfig = join(dir, 'sshd_config')
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitUserEnvironment yes',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  )
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec ${HOST.which('ssh')} -F ${join(dir, 'ssh_config')} "$@"\n`)
  chmodSync(join(bin, 'ssh'), 0o755)
  // sshd refuses to start without its privilege separation directory, which the service would create
  mkdirSync('/run/sshd', {recursive: true, mode: 0o755})
  const log = join(dir, 'sshd.log')
  // sshd re-executes itself, so it must be started by its absolute path
  const child = spawn(HOST.which('sshd') as string, ['-D', '-e', '-f', sshdConfig, '-E', log], {
    detached: true,
    stdio: 'ignore',
  })
  child.unref()
  await awaitDaemon('private sshd', child, async () => (await portOpen(port)) || '', {log, seconds: 30, pollMs: 100})
  return {
    dir,
    port,
    bin,
    async stop() {
      await stopDaemon(child, 10)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
