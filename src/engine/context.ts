import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {InputError} from '../errors.js'
import {tlsFromContext, tlsFromFlags, type TlsOptions, type TlsSettings} from './tls.js'

/** The docker CLI's engine options, from the plugin's global flags or a command's own flags. */
export interface EngineOptions extends TlsOptions {
  context?: string
  host?: string
  config?: string
}

/** The engine to talk to, why this one (for error messages), and TLS for a tcp:// engine. */
export interface Endpoint {
  host: string
  from: string
  tls?: TlsSettings
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock'

export function dockerConfigDir(options: EngineOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.config || env.DOCKER_CONFIG || join(homedir(), '.docker')
}

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`)
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
    const tls = tlsFromFlags(options, env)
    if (env.DOCKER_HOST) return {host: env.DOCKER_HOST, from: 'DOCKER_HOST', tls}
    return {host: DEFAULT_HOST, from: `context "default" (${from}), the default socket`, tls}
  }
  const id = createHash('sha256').update(name).digest('hex')
  const meta = readJson(join(configDir, 'contexts', 'meta', id, 'meta.json'))
  if (!meta) throw new InputError(`context "${name}" (${from}) does not exist in ${join(configDir, 'contexts')}`)
  const docker = (meta.Endpoints as Record<string, {Host?: string; SkipTLSVerify?: boolean}> | undefined)?.docker
  if (!docker?.Host) throw new InputError(`context "${name}" has no docker endpoint`)
  const tls = tlsFromContext(join(configDir, 'contexts', 'tls', id, 'docker'), Boolean(docker.SkipTLSVerify), name)
  return {host: docker.Host, from: `context "${name}" (${from})`, tls}
}

/**
 * Picks the engine as the docker CLI does: the -H/--host or --context flag (not both), then DOCKER_HOST, then
 * DOCKER_CONTEXT, then currentContext in the CLI config, then the default socket. TLS comes with it: from the
 * context, or for the default context from the TLS flags and DOCKER_TLS, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
 * Everything the client needs is here: nothing below reads the environment again.
 */
export function resolveEndpoint(options: EngineOptions, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const configDir = dockerConfigDir(options, env)
  if (options.context && options.host)
    throw new InputError('conflicting options: either specify --host or --context, not both')
  if (options.context) return fromContext(options.context, '--context', options, env, configDir)
  if (options.host) return {host: options.host, from: '--host', tls: tlsFromFlags(options, env)}
  if (env.DOCKER_HOST) return {host: env.DOCKER_HOST, from: 'DOCKER_HOST', tls: tlsFromFlags(options, env)}
  if (env.DOCKER_CONTEXT) return fromContext(env.DOCKER_CONTEXT, 'DOCKER_CONTEXT', options, env, configDir)
  const current = readJson(join(configDir, 'config.json'))?.currentContext
  if (typeof current === 'string' && current !== '')
    return fromContext(current, `currentContext in ${join(configDir, 'config.json')}`, options, env, configDir)
  return {host: DEFAULT_HOST, from: 'the default socket', tls: tlsFromFlags(options, env)}
}

/**
 * Engine options given at several places, later ones winning: an option left unset keeps the earlier value, and
 * one that names the engine (-H or --context) replaces the engine named earlier, whole, so that a command's
 * --context is not in conflict with docker's -H.
 */
export function layered(...levels: EngineOptions[]): EngineOptions {
  const options: EngineOptions = {}
  for (const level of levels) {
    const given = Object.fromEntries(Object.entries(level).filter(([, v]) => v !== undefined)) as EngineOptions
    if (given.host !== undefined || given.context !== undefined) {
      delete options.host
      delete options.context
    }
    Object.assign(options, given)
  }
  return options
}

/** docker's global flags, set by bin/run.js from the arguments before the command; a command's own flags win. */
export const globalEngineOptions: EngineOptions = {}
