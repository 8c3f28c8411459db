import type Docker from 'dockerode'
import type {Agent} from 'node:http'

import {InputError} from '../errors.js'
import {type EngineOptions, type Endpoint, layered, globalEngineOptions, resolveEndpoint} from './context.js'
import {explainTlsFailure, tlsAgentOptions} from './tls.js'

/** dockerode's options, which it hands to docker-modem, and docker-modem's http agent (for TLS and ssh). */
export type ClientOptions = Docker.DockerOptions & {agent?: Agent}

export interface Engine {
  docker: Docker
  endpoint: Endpoint
}

/**
 * The client's options for an endpoint, complete: unix sockets by path; tcp:// as http, or https through an
 * agent holding the TLS settings (verify or not, client certificate); ssh:// as http through an agent whose
 * connections are the system ssh running `docker system dial-stdio`. The agents' modules (http, https, ssh) are
 * loaded here, when an engine is used, not at start-up.
 */
export async function clientOptions(endpoint: Endpoint): Promise<ClientOptions> {
  if (!URL.canParse(endpoint.host))
    throw new InputError(`invalid engine address ${endpoint.host} (from ${endpoint.from})`)
  const url = new URL(endpoint.host)
  switch (url.protocol) {
    case 'unix:': {
      return {socketPath: decodeURIComponent(url.pathname)}
    }
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = endpoint.tls
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
      if (!tls && url.protocol !== 'https:') return {protocol: 'http', host, port: url.port || 2375}
      const {Agent} = await import('node:https')
      return {protocol: 'https', host, port: url.port || 2376, agent: tls ? new Agent(tlsAgentOptions(tls)) : undefined}
    }
    case 'ssh:': {
      const {SshAgent} = await import('./ssh.js')
      // the host names no machine: every connection is `ssh … docker system dial-stdio`
      return {protocol: 'http', host: 'docker.example.com', agent: new SshAgent(endpoint.host)}
    }
    default: {
      throw new InputError(`unsupported engine address ${endpoint.host} (from ${endpoint.from})`)
    }
  }
}

/** What docker-modem's constructor reads from the environment to fill in options it was not given. */
const MODEM_ENVIRONMENT = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CLIENT_TIMEOUT']

/**
 * Builds the client with the environment docker-modem would read hidden: the endpoint is resolved already, and
 * docker-modem would otherwise put DOCKER_HOST's engine under a --context or -H one, and fail on a
 * DOCKER_CERT_PATH it need not read.
 */
function withoutModemEnvironment<T>(build: () => T): T {
  const saved = MODEM_ENVIRONMENT.filter((name) => name in process.env).map((name) => [name, process.env[name]])
  for (const [name] of saved) delete process.env[name as string]
  try {
    return build()
  } finally {
    for (const [name, value] of saved) process.env[name as string] = value
  }
}

/**
 * A client for the engine the command's options (or docker's global flags, or the environment) name. A command's
 * own -H or --context replaces the global ones. dockerode is loaded here, not at start-up: file sources never
 * need it.
 */
export async function connect(options: EngineOptions = {}): Promise<Engine> {
  const {default: Dockerode} = await import('dockerode')
  const endpoint = resolveEndpoint(layered(globalEngineOptions, options))
  const client = await clientOptions(endpoint)
  return {docker: withoutModemEnvironment(() => new Dockerode(client)), endpoint}
}

/** Rewords a failure to reach the engine: which host was tried, why that one, and what went wrong. */
export function engineError(engine: Engine, error: unknown): Error {
  if (error instanceof InputError) return error
  const {host, from, tls} = engine.endpoint
  const e = error as NodeJS.ErrnoException & {statusCode?: number; json?: {message?: string}}
  const said = e.json?.message ?? e.message
  if (e.statusCode === 400 && /HTTP request to an HTTPS server/.test(said))
    return new InputError(
      `the Docker engine at ${host} (from ${from}) wants TLS: use --tlsverify or DOCKER_TLS_VERIFY=1, with its ` +
        `certificates in DOCKER_CERT_PATH`,
    )
  if (e.statusCode) return new InputError(`the Docker engine at ${host} answered ${e.statusCode}: ${said}`)
  const reason =
    error instanceof Error && error.name === 'SshConnectionError' // ssh.ts is loaded only for an ssh:// engine
      ? error.message
      : (explainTlsFailure(e, tls) ??
        (e.code === 'EACCES'
          ? 'permission denied'
          : e.code === 'ENOENT'
            ? 'no such socket'
            : e.code === 'ECONNREFUSED'
              ? 'connection refused'
              : (e.code ?? e.message)))
  return new InputError(`cannot connect to the Docker engine at ${host} (from ${from}): ${reason}`)
}
