import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {InputError} from '../errors.js'

/** The docker CLI's engine options, from the plugin's global flags or a command's own flags. */
export interface EngineOptions {
  context?: string
  host?: string
  config?: string
  tls?: boolean
  tlsverify?: boolean
  tlscacert?: string
  tlscert?: string
  tlskey?: string
}

export interface TlsFiles {
  ca?: string
  cert?: string
  key?: string
  verify: boolean
}

/** The engine to talk to, and why this one (for error messages). */
export interface Endpoint {
  host: string
  from: string
  tls?: TlsFiles
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock'

export function dockerConfigDir(options: EngineOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.config ?? env.DOCKER_CONFIG ?? join(homedir(), '.docker')
}

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`)
  }
}

function tlsFromFlags(options: EngineOptions, env: NodeJS.ProcessEnv, configDir: string): TlsFiles | undefined {
  const verify = options.tlsverify ?? (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '')
  if (!verify && !options.tls) return undefined
  const certDir = env.DOCKER_CERT_PATH ?? configDir
  const file = (given: string | undefined, name: string) => {
    const path = given ?? join(certDir, name)
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined
  }
  return {
    ca: file(options.tlscacert, 'ca.pem'),
    cert: file(options.tlscert, 'cert.pem'),
    key: file(options.tlskey, 'key.pem'),
    verify,
  }
}

function fromContext(
  name: string,
  from: string,
  options: EngineOptions,
  env: NodeJS.ProcessEnv,
  configDir: string,
): Endpoint {
  if (name === 'default') {
    const host = options.host ?? env.DOCKER_HOST
    return {
      host: host || DEFAULT_HOST,
      from: host ? (options.host ? '--host' : 'DOCKER_HOST') : `${from}, the default socket`,
      tls: tlsFromFlags(options, env, configDir),
    }
  }
  const id = createHash('sha256').update(name).digest('hex')
  const meta = readJson(join(configDir, 'contexts', 'meta', id, 'meta.json'))
  if (!meta) throw new InputError(`context "${name}" (${from}) does not exist in ${join(configDir, 'contexts')}`)
  const docker = (meta.Endpoints as Record<string, {Host?: string; SkipTLSVerify?: boolean}> | undefined)?.docker
  if (!docker?.Host) throw new InputError(`context "${name}" has no docker endpoint`)
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker')
  const read = (file: string) => (existsSync(join(tlsDir, file)) ? readFileSync(join(tlsDir, file), 'utf8') : undefined)
  const ca = read('ca.pem')
  const cert = read('cert.pem')
  const key = read('key.pem')
  const tls = ca || cert || key ? {ca, cert, key, verify: !docker.SkipTLSVerify} : undefined
  return {host: docker.Host, from: `context "${name}" (${from})`, tls}
}

/**
 * Picks the engine as the docker CLI does: --context, then -H/--host, then DOCKER_HOST, then DOCKER_CONTEXT,
 * then currentContext in the CLI config, then the default socket.
 */
export function resolveEndpoint(options: EngineOptions, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const configDir = dockerConfigDir(options, env)
  if (options.context && options.host)
    throw new InputError('conflicting options: either specify --host or --context, not both')
  if (options.context) return fromContext(options.context, '--context', options, env, configDir)
  if (options.host) return {host: options.host, from: '--host', tls: tlsFromFlags(options, env, configDir)}
  if (env.DOCKER_HOST) return {host: env.DOCKER_HOST, from: 'DOCKER_HOST', tls: tlsFromFlags(options, env, configDir)}
  if (env.DOCKER_CONTEXT) return fromContext(env.DOCKER_CONTEXT, 'DOCKER_CONTEXT', options, env, configDir)
  const current = readJson(join(configDir, 'config.json'))?.currentContext
  if (typeof current === 'string' && current !== '')
    return fromContext(current, `currentContext in ${join(configDir, 'config.json')}`, options, env, configDir)
  return {host: DEFAULT_HOST, from: 'the default socket', tls: tlsFromFlags(options, env, configDir)}
}

/** Options set by the docker CLI plugin shim from docker's global flags; a command's own flags win. */
export const pluginEngineOptions: EngineOptions = {}
