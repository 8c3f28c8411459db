import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {rootCertificates} from 'node:tls'

import {getProxyForUrl} from 'proxy-from-env'
import type {Dispatcher, RequestInit, Response} from 'undici'

import {InputError} from '../errors.js'
import {isLoopback} from './reference.js'

/** How to reach a registry: `--tls-verify`, where docker keeps registry CAs, patience. */
export interface TransportOptions {
  /** Verify TLS certificates and require HTTPS (skopeo's `--tls-verify`); loopback registries may be plain HTTP. */
  tlsVerify?: boolean
  /** docker's per-registry CA folders (`HOST[:PORT]/*.crt`). */
  certsDirectory?: string
  /** How long an answer may take to start, and a body to send its next bytes. */
  timeoutMs?: number
  /** How often a request is retried (429, 5xx, a dropped connection) and the first pause, doubled each time. */
  retries?: number
  backoffMs?: number
}

const DEFAULTS = {certsDirectory: '/etc/docker/certs.d', timeoutMs: 60_000, retries: 3, backoffMs: 250}
const MAX_REDIRECTS = 10
/** The longest `Retry-After` honoured. */
const MAX_PAUSE_MS = 10_000

/** undici, loaded on first use: file sources never need it. */
const loadUndici = () => import('undici')
type Undici = Awaited<ReturnType<typeof loadUndici>>

/** The Node error code of a failed fetch (undici wraps it as the cause), or the error's own. */
function errorCode(error: unknown): string {
  const cause = (error as {cause?: {code?: string}}).cause
  return cause?.code ?? (error as {code?: string}).code ?? ''
}

function errorText(error: unknown): string {
  const cause = (error as {cause?: Error}).cause
  return (cause?.message ?? (error as Error).message ?? String(error)).split('\n')[0]
}

/** TLS failures of certificate checks, as opposed to a peer that does not speak TLS. */
function isCertificateError(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/.test(code)
}

/** A peer that answered TLS with something else: a plain HTTP registry. */
function isNotTls(code: string): boolean {
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'EPROTO'
}

/** Failures worth another try: the connection dropped or was reset, not a refusal or a name that does not exist. */
export function isTransient(error: unknown): boolean {
  const code = errorCode(error)
  return ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT'].includes(code)
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })

/** The options of `fetch` that this transport takes: the body is a buffer, so that a retry can send it again. */
export interface Request {
  method?: string
  headers?: Record<string, string>
  body?: Buffer
  signal?: AbortSignal
  /** Sent only to the host of the URL, never to another host a redirect leads to. */
  authorization?: string
}

/**
 * HTTP to one registry over Node's fetch (undici): HTTPS with docker's per-registry CAs and NODE_EXTRA_CA_CERTS,
 * plain HTTP only for a loopback registry or with `--tls-verify=false`; HTTPS_PROXY, HTTP_PROXY and NO_PROXY;
 * redirects followed without the Authorization header once they leave the registry's host; 429 and 5xx answers and
 * dropped connections retried with a doubling pause. Failures to connect become one-line InputErrors.
 */
export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>()
  private readonly options: Required<TransportOptions>

  private constructor(
    private readonly undici: Undici,
    /** The registry's API host (`HOST[:PORT]`). */
    readonly host: string,
    /** How the registry is spoken to, as the ping found. */
    public scheme: 'https' | 'http',
    options: TransportOptions,
  ) {
    this.options = {...DEFAULTS, tlsVerify: true, ...definedOnly(options)}
  }

  /** Whether the registry may be spoken to in plain HTTP. */
  get plainAllowed(): boolean {
    return isLoopback(this.host) || !this.options.tlsVerify
  }

  /**
   * Pings `/v2/`: HTTPS first, plain HTTP when HTTPS met a server that does not speak TLS and plain HTTP is allowed
   * (never to skip a certificate check by itself). Returns the transport and the ping's answer, body read.
   */
  static async open(host: string, options: TransportOptions = {}): Promise<{transport: Transport; ping: Response}> {
    const undici = await loadUndici()
    const transport = new Transport(undici, host, 'https', options)
    try {
      return {transport, ping: await transport.ping()}
    } catch (error) {
      if (!(isNotTls(errorCode(error)) && transport.plainAllowed)) {
        await transport.close()
        throw transport.failure(error)
      }
    }
    transport.scheme = 'http'
    try {
      return {transport, ping: await transport.ping()}
    } catch (error) {
      await transport.close()
      throw transport.failure(error)
    }
  }

  private async ping(): Promise<Response> {
    const response = await this.attempt(this.url('/v2/'), {method: 'GET'})
    await response.arrayBuffer()
    return response
  }

  url(path: string): string {
    return `${this.scheme}://${this.host}${path}`
  }

  /** TLS options: certificates verified unless --tls-verify=false, with the registry's own CAs if docker has any. */
  private tls(): {rejectUnauthorized: boolean; ca?: string[]} {
    if (!this.options.tlsVerify) return {rejectUnauthorized: false}
    const dir = join(this.options.certsDirectory, this.host)
    const own = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.endsWith('.crt'))
          .map((name) => readFileSync(join(dir, name), 'utf8'))
      : []
    if (own.length === 0) return {rejectUnauthorized: true}
    // an explicit list replaces Node's, so it carries Node's roots and NODE_EXTRA_CA_CERTS as well
    const extra = process.env.NODE_EXTRA_CA_CERTS
    const extraCerts = extra && existsSync(extra) ? [readFileSync(extra, 'utf8')] : []
    return {rejectUnauthorized: true, ca: [...rootCertificates, ...extraCerts, ...own]}
  }

  /** One dispatcher per proxy (or none), made on first use: the proxy depends on the URL (NO_PROXY). */
  private dispatcher(url: string): Dispatcher {
    const proxy = getProxyForUrl(url)
    let dispatcher = this.dispatchers.get(proxy)
    if (!dispatcher) {
      const tls = this.tls()
      const timeouts = {headersTimeout: this.options.timeoutMs, bodyTimeout: this.options.timeoutMs}
      dispatcher = proxy
        ? new this.undici.ProxyAgent({uri: proxy, requestTls: tls, ...timeouts})
        : new this.undici.Agent({connect: {...tls, timeout: this.options.timeoutMs}, ...timeouts})
      this.dispatchers.set(proxy, dispatcher)
    }
    return dispatcher
  }

  /** One request, redirects followed by hand so that Authorization stays with the host it was meant for. */
  private async attempt(url: string, request: Request): Promise<Response> {
    let target = new URL(url)
    const origin = target.host
    let method = request.method ?? 'GET'
    let body = request.body
    for (let hops = 0; ; hops++) {
      const headers = {...request.headers}
      if (request.authorization && target.host === origin) headers.authorization = request.authorization
      const init: RequestInit = {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: request.signal,
        dispatcher: this.dispatcher(target.href),
      }
      const response = await this.undici.fetch(target.href, init)
      const location = response.headers.get('location')
      if (![301, 302, 303, 307, 308].includes(response.status) || !location) return response
      await response.body?.cancel()
      if (hops >= MAX_REDIRECTS) throw new InputError(`${this.host}: more than ${MAX_REDIRECTS} redirects`)
      target = new URL(location, target)
      if (response.status === 303) {
        method = 'GET'
        body = undefined
      }
    }
  }

  /**
   * Sends a request, retried on 429 and 5xx answers (honouring Retry-After) and on dropped connections. The answer
   * of the last try is returned whatever its status; a failure to connect is an InputError.
   */
  async fetch(url: string, request: Request = {}): Promise<Response> {
    for (let tries = 0; ; tries++) {
      const pause = this.options.backoffMs * 2 ** tries
      let response: Response
      try {
        response = await this.attempt(url, request)
      } catch (error) {
        if (request.signal?.aborted) throw error
        if (tries < this.options.retries && isTransient(error)) {
          await sleep(pause, request.signal)
          continue
        }
        throw this.failure(error)
      }
      if ((response.status === 429 || response.status >= 500) && tries < this.options.retries) {
        const after = Number(response.headers.get('retry-after'))
        await response.body?.cancel()
        await sleep(after > 0 ? Math.min(after * 1000, MAX_PAUSE_MS) : pause, request.signal)
        continue
      }
      return response
    }
  }

  /** A failure to talk to the registry, in one line that says what to do about it. */
  failure(error: unknown): Error {
    if (error instanceof InputError) return error
    const code = errorCode(error)
    const text = errorText(error)
    if (code === 'ECONNREFUSED') return new InputError(`cannot reach ${this.host}: connection refused`)
    if (text === 'bad port')
      return new InputError(`cannot reach ${this.host}: Node's fetch refuses this port (one browsers block)`)
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new InputError(`cannot reach ${this.host}: no such host`)
    if (code === 'UND_ERR_CONNECT_TIMEOUT')
      return new InputError(`cannot reach ${this.host}: no connection within ${this.options.timeoutMs / 1000} s`)
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
      return new InputError(`${this.host} did not answer within ${this.options.timeoutMs / 1000} s`)
    if (isCertificateError(code) || code.startsWith('ERR_SSL') || code === 'EPROTO')
      return new InputError(
        `TLS error talking to ${this.host}: ${text} (trust its CA in ${join(this.options.certsDirectory, this.host, 'ca.crt')} ` +
          `or NODE_EXTRA_CA_CERTS, or skip verification with --tls-verify=false)`,
      )
    return new InputError(`${this.host}: ${text}${code ? ` (${code})` : ''}`)
  }

  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map((d) => d.destroy()))
    this.dispatchers.clear()
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>
}
