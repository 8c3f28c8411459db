import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type CliResult, runCli} from '../helpers/cli.js'
import {awaitDaemon, freePort, stopDaemon} from '../helpers/daemon.js'
import {CONTAINERD_ENGINE, HOST} from '../helpers/prerequisites.js'

/** A private dockerd for the tests: own data-root, exec-root and socket, no networking, stopped by pid. */
export interface PrivateEngine {
  host: string
  /** tcp://127.0.0.1:PORT when started with a TLS listener. */
  tcpHost?: string
  dir: string
  env: NodeJS.ProcessEnv
  /** The real docker CLI against this engine. */
  docker(args: string[], options?: {stdin?: Buffer; env?: NodeJS.ProcessEnv}): Promise<CliResult>
  stop(): Promise<void>
}

/** A TCP listener on loopback with --tlsverify: the engine's CA (for client certificates), certificate and key. */
export interface EngineTls {
  ca: string
  cert: string
  key: string
}

/** A free TCP port on loopback. */
/**
 * Starts a private dockerd; `args` are more dockerd flags (e.g. `--storage-driver vfs`), `tls` adds a listener on
 * tcp 127.0.0.1 with --tlsverify. With `containerd` it is Debian trixie's dockerd 26 unpacked where .ci/run puts it
 * (CONTAINERD_ENGINE_ROOT), keeping images in containerd's image store (the containerd-snapshotter feature, as
 * Docker 29 does by default) with the containerd it starts for itself under its data root.
 */
export async function startDockerd(
  options: {args?: string[]; tls?: EngineTls; containerd?: true} = {},
): Promise<PrivateEngine> {
  const dir = mkdtempSync('/tmp/dl-engine-')
  const host = `unix://${dir}/d.sock`
  const {tls} = options
  const tcpHost = tls ? `tcp://127.0.0.1:${await freePort()}` : undefined
  const tlsArgs =
    tls && tcpHost
      ? ['-H', tcpHost, '--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.cert, '--tlskey', tls.key]
      : []
  const config = join(dir, 'daemon.json')
  writeFileSync(config, options.containerd ? '{"features": {"containerd-snapshotter": true}}' : '{}')
  // the containerd engine's programs first on its PATH: dockerd, containerd, the shim and runc
  const unpacked = options.containerd ? process.env[CONTAINERD_ENGINE.variable] : undefined
  const path = unpacked ? `${join(unpacked, 'usr/sbin')}:${join(unpacked, 'usr/bin')}:${process.env.PATH}` : undefined
  mkdirSync(join(dir, 'cli'))
  const log = join(dir, 'dockerd.log')
  const child = spawn(
    unpacked ? join(unpacked, 'usr/sbin/dockerd') : 'dockerd',
    [
      '--config-file',
      config,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'pid'),
      '-H',
      host,
      ...tlsArgs,
      '--bridge',
      'none',
      '--iptables=false',
      '--ip-masq=false',
      '--log-level',
      'warn',
      ...(options.args ?? []),
    ],
    {detached: true, stdio: ['ignore', 'ignore', 'ignore'], env: path ? {...process.env, PATH: path} : process.env},
  )
  child.unref()
  const env = {DOCKER_HOST: host, DOCKER_CONFIG: join(dir, 'cli'), DOCKER_BUILDKIT: '0', DOCKER_CONTEXT: ''}
  const docker = (args: string[], options: {stdin?: Buffer; env?: NodeJS.ProcessEnv} = {}) =>
    runCli(args, {stdin: options.stdin, env: {...env, ...options.env}, command: ['docker']})
  await awaitDaemon(
    'private dockerd',
    child,
    async () => {
      const version = await docker(['version', '--format', '{{.Server.Version}}'])
      return version.code === 0 || version.stderr.trim()
    },
    {log, seconds: 90, pollMs: 300},
  )
  return {
    host,
    tcpHost,
    dir,
    env,
    docker,
    async stop() {
      await stopDaemon(child, 30)
      // a dockerd that was killed leaves its containerd behind: end whatever still runs from this engine's dir
      spawnSync('pkill', ['-KILL', '-f', dir])
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`])
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** A busybox root filesystem from Debian's busybox-static, imported as a base image (nothing is pulled). */
export async function importBusybox(engine: PrivateEngine, tag: string): Promise<number> {
  // the engine suite's prerequisites found it, statically linked
  const busybox = HOST.which('busybox')!
  const root = join(engine.dir, 'rootfs')
  mkdirSync(join(root, 'bin'), {recursive: true})
  execFileSync('cp', [busybox, join(root, 'bin', 'busybox')])
  for (const applet of [
    'sh',
    'ls',
    'rm',
    'cp',
    'mv',
    'chmod',
    'mkdir',
    'echo',
    'cat',
    'dd',
    'ln',
    'touch',
    'sleep',
    'true',
  ]) {
    execFileSync('ln', ['-sf', 'busybox', join(root, 'bin', applet)])
  }
  const tar = execFileSync('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], {
    maxBuffer: 1 << 28,
  })
  const result = await engine.docker(['import', '-', tag], {stdin: tar})
  if (result.code !== 0) throw new Error(`docker import failed: ${result.stderr}`)
  return statSync(busybox).size
}

/** docker build --network none of a Dockerfile and its files. */
export async function build(engine: PrivateEngine, tag: string, files: Record<string, string>): Promise<void> {
  const context = mkdtempSync(join(engine.dir, 'ctx-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(context, name), content)
  const result = await engine.docker(['build', '--network', 'none', '-q', '-t', tag, context])
  if (result.code !== 0) throw new Error(`docker build failed: ${result.stderr}`)
}
