import type {Response} from 'undici'

import {InputError} from '../errors.js'
import type {FoundCredential} from './credentials.js'
import {DOCKER_HUB, isLoopback} from './reference.js'
import type {Transport} from './transport.js'

/** One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`. */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Parses a `WWW-Authenticate` header (several challenges, quoted values with commas and escapes). */
export function parseChallenges(header: string | null): Challenge[] {
  const challenges: Challenge[] = []
  if (!header) return challenges
  const token = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/y
  const param = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y
  let at = 0
  while (at < header.length) {
    token.lastIndex = at
    const scheme = token.exec(header)
    if (!scheme) break
    at = token.lastIndex
    const params: Record<string, string> = {}
    for (;;) {
      param.lastIndex = at
      const m = param.exec(header)
      if (!m) break
      params[m[1].toLowerCase()] = m[2] === undefined ? m[3] : m[2].replace(/\\(.)/g, '$1')
      at = param.lastIndex
    }
    challenges.push({scheme: scheme[1].toLowerCase(), params})
    while (at < header.length && /[\s,]/.test(header[at])) at++
  }
  return challenges
}

/** `repository:NAME:ACTIONS`, the scope a request needs. */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${repository}:${actions}`
}

interface Token {
  value: string
  /** Scopes it was issued for. */
  scopes: Set<string>
  expires: number
}

interface TokenAnswer {
  token?: string
  access_token?: string
  refresh_token?: string
  expires_in?: number
}

/**
 * Authorization for one registry, as its ping challenged: none, Basic with the credential, or Bearer tokens asked
 * of the challenge's realm for the scopes requests need (`token` or `access_token`; with an identity token, the
 * OAuth2 refresh flow, whose new refresh token replaces the old). A token is asked again for a new scope, when it
 * expires, and when the registry challenges it.
 */
export class Authorizer {
  private token: Token | undefined
  private readonly scopes = new Set<string>()
  private challenge: Challenge | undefined

  constructor(
    private readonly transport: Transport,
    /** The registry as references name it, for messages. */
    private readonly registry: string,
    private readonly found: FoundCredential | undefined,
    ping: Response,
  ) {
    this.challenge = ping.status === 401 ? pick(parseChallenges(ping.headers.get('www-authenticate'))) : undefined
    if (ping.status === 401 && !this.challenge)
      throw new InputError(`${registry} asks for authorization in a way this tool does not speak (no Basic or Bearer)`)
  }

  private get login(): string {
    return this.registry === DOCKER_HUB ? 'docker login' : `docker login ${this.registry}`
  }

  /**
   * The error for credentials the registry (or its token service) refused, or for none where some are needed.
   * `scopes` are what was asked (`repository:NAME:pull`).
   */
  refused(status: number, scopes: string[]): InputError {
    const what = scopes
      .map((scope) => {
        const [, name, actions] = /^repository:(.+):([a-z,]+)$/.exec(scope) ?? [undefined, scope, '']
        return actions.includes('push') ? `push to ${name}` : `pull ${name}`
      })
      .join(' and ')
    if (!this.found)
      return new InputError(
        `${this.registry} needs credentials to ${what} and none were found: run ${this.login}, or pass --creds USER:PASS`,
      )
    if (status === 403)
      return new InputError(
        `${this.registry} does not let the credentials from ${this.found.from} ${what} (403 Forbidden)`,
      )
    return new InputError(
      `${this.registry} refused the credentials from ${this.found.from} to ${what} (${status} Unauthorized): ` +
        `run ${this.login}`,
    )
  }

  /** The Authorization header for a request that needs `scope`, asking for a token when it must. */
  async header(scope: string, signal?: AbortSignal): Promise<string | undefined> {
    if (!this.challenge) return undefined
    const credential = this.found?.credential
    if (this.challenge.scheme === 'basic') {
      if (credential?.username === undefined) return undefined
      const pair = `${credential.username}:${credential.password ?? ''}`
      return `Basic ${Buffer.from(pair).toString('base64')}`
    }
    if (credential?.registryToken) return `Bearer ${credential.registryToken}`
    this.scopes.add(scope)
    const token = this.token
    if (!token || Date.now() >= token.expires || !token.scopes.has(scope)) await this.fetchToken(signal)
    return `Bearer ${this.token!.value}`
  }

  /**
   * A request was answered 401: takes in the new challenge (another realm, a wider scope) and drops the token.
   * Returns whether asking again can help (false for Basic: the same credential would be refused again).
   */
  challenged(response: Response): boolean {
    const challenge = pick(parseChallenges(response.headers.get('www-authenticate')))
    if (!challenge || challenge.scheme === 'basic' || this.challenge?.scheme === 'basic') return false
    this.challenge = challenge
    if (challenge.params.scope) for (const scope of challenge.params.scope.split(' ')) this.scopes.add(scope)
    const retry = this.token !== undefined
    this.token = undefined
    return retry
  }

  private async fetchToken(signal?: AbortSignal): Promise<void> {
    const {realm, service} = this.challenge!.params
    if (!realm) throw new InputError(`${this.registry} sent a Bearer challenge without a realm`)
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw new InputError(`${this.registry} sent a Bearer challenge with a bad realm ${JSON.stringify(realm)}`)
    }
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && (this.transport.scheme === 'http' || isLoopback(url.host)))
    )
      throw new InputError(`${this.registry}: its token service ${realm} is not HTTPS; credentials are not sent there`)
    const scopes = [...this.scopes]
    const credential = this.found?.credential
    let answer: Response
    if (credential?.identityToken) {
      // OAuth2: the identity token is a refresh token (docker's auth spec, "oauth"); a service without it says 404
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.identityToken,
        client_id: 'docker-layers',
        scope: scopes.join(' '),
        ...(service ? {service} : {}),
      })
      answer = await this.transport.fetch(url.href, {
        method: 'POST',
        headers: {'content-type': 'application/x-www-form-urlencoded'},
        body: Buffer.from(form.toString()),
        signal,
      })
      if (answer.status === 404 || answer.status === 405) {
        await answer.body?.cancel()
        answer = await this.tokenByGet(url, service, scopes, signal)
      }
    } else {
      answer = await this.tokenByGet(url, service, scopes, signal)
    }
    if (answer.status === 401 || answer.status === 403) {
      await answer.body?.cancel()
      throw this.refused(answer.status, scopes)
    }
    const text = await answer.text()
    if (answer.status !== 200)
      throw new InputError(`${this.registry}: its token service answered ${answer.status}: ${oneLine(text)}`)
    let parsed: TokenAnswer
    try {
      parsed = JSON.parse(text) as TokenAnswer
    } catch {
      throw new InputError(`${this.registry}: its token service answered something that is not JSON`)
    }
    const value = parsed.token || parsed.access_token
    if (!value) throw new InputError(`${this.registry}: its token service answered without a token`)
    if (parsed.refresh_token && this.found) this.found.credential.identityToken = parsed.refresh_token
    // tokens live 60 s unless the answer says otherwise; ask again a little before the end
    const lifetime = (parsed.expires_in && parsed.expires_in > 0 ? parsed.expires_in : 60) * 1000
    this.token = {value, scopes: new Set(scopes), expires: Date.now() + lifetime * 0.9}
  }

  private tokenByGet(url: URL, service: string | undefined, scopes: string[], signal?: AbortSignal): Promise<Response> {
    const query = new URL(url)
    if (service) query.searchParams.set('service', service)
    for (const scope of scopes) query.searchParams.append('scope', scope)
    const credential = this.found?.credential
    const basic =
      credential?.username !== undefined
        ? `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`
        : undefined
    if (credential?.username) query.searchParams.set('account', credential.username)
    return this.transport.fetch(query.href, {authorization: basic, signal})
  }
}

/** The challenge this tool can answer: Bearer before Basic; others (Negotiate, …) are passed over. */
function pick(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic')
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200)
}
