import type Docker from 'dockerode'

import {InputError} from '../errors.js'
import {type EngineOptions, type Endpoint, pluginEngineOptions, resolveEndpoint} from './context.js'

export interface Engine {
  docker: Docker
  endpoint: Endpoint
}

/** dockerode options for an endpoint; dockerode reads no context files, so it gets the resolved host. */
export function dockerodeOptions(endpoint: Endpoint): Docker.DockerOptions {
  const url = new URL(endpoint.host)
  switch (url.protocol) {
    case 'unix:': {
      return {socketPath: decodeURIComponent(url.pathname)}
    }
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = endpoint.tls ?? (url.protocol === 'https:' ? {verify: true} : undefined)
      return {
        protocol: tls ? 'https' : 'http',
        host: url.hostname,
        port: url.port || (tls ? 2376 : 2375),
        ...(tls?.ca ? {ca: tls.ca} : {}),
        ...(tls?.cert ? {cert: tls.cert} : {}),
        ...(tls?.key ? {key: tls.key} : {}),
      }
    }
    case 'ssh:': {
      return {protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username || undefined}
    }
    default: {
      throw new InputError(`unsupported engine address ${endpoint.host} (from ${endpoint.from})`)
    }
  }
}

/**
 * A client for the engine the options (or the plugin's flags, or the environment) name. dockerode is loaded here,
 * not at start-up: file sources never need it.
 */
export async function connect(options: EngineOptions = {}): Promise<Engine> {
  const {default: Dockerode} = await import('dockerode')
  const merged = {
    ...pluginEngineOptions,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  }
  const endpoint = resolveEndpoint(merged)
  return {docker: new Dockerode(dockerodeOptions(endpoint)), endpoint}
}

/** Rewords a failure to reach the engine: which host was tried, why that one, and what went wrong. */
export function engineError(engine: Engine, error: unknown): Error {
  if (error instanceof InputError) return error
  const e = error as NodeJS.ErrnoException & {statusCode?: number; json?: {message?: string}}
  if (e.statusCode)
    return new InputError(
      `the Docker engine at ${engine.endpoint.host} answered ${e.statusCode}: ${e.json?.message ?? e.message}`,
    )
  const reason =
    e.code === 'EACCES'
      ? 'permission denied'
      : e.code === 'ENOENT'
        ? 'no such socket'
        : e.code === 'ECONNREFUSED'
          ? 'connection refused'
          : (e.code ?? e.message)
  return new InputError(
    `cannot connect to the Docker engine at ${engine.endpoint.host} (from ${engine.endpoint.from}): ${reason}`,
  )
}
