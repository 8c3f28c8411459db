import type {Response} from 'undici'

import {InputError} from '../errors.js'
import {Authorizer, oneLine, repositoryScope} from './auth.js'
import {type CredentialOptions, findCredential} from './credentials.js'
import type {RegistryReference} from './reference.js'
import {type Request, Transport, type TransportOptions} from './transport.js'

/** Everything that decides how a registry is reached and who asks: `--creds`, `--tls-verify`, and the rest. */
export interface RegistryOptions extends TransportOptions, CredentialOptions {}

/** A request to a repository's API: the scope it needs, and what else goes with it. */
export interface ApiRequest extends Omit<Request, 'authorization'> {
  /** `pull` or `pull,push` on `repository` (default: the client's own repository, pull). */
  actions?: 'pull' | 'pull,push'
  repository?: string
  /** A repository a blob is mounted from: its pull scope is asked for as well. */
  mountFrom?: string
}

/** The errors of the distribution API's answers: `{"errors": [{"code": "…", "message": "…"}]}`. */
export async function apiErrorCodes(response: Response): Promise<{codes: string[]; text: string}> {
  const text = await response.text().catch(() => '')
  try {
    const errors = (JSON.parse(text) as {errors?: Array<{code?: string; message?: string}>}).errors ?? []
    return {
      codes: errors.map((e) => e.code ?? ''),
      text: errors.map((e) => `${e.code}: ${e.message}`).join('; ') || oneLine(text),
    }
  } catch {
    return {codes: [], text: oneLine(text)}
  }
}

/**
 * One registry, pinged and authorized, for the requests of one repository (and, for a push that mounts, others of
 * the same registry). Knows nothing of images: manifests.ts, blob-stream.ts and upload.ts speak through it.
 */
export class RegistryClient {
  private constructor(
    readonly ref: RegistryReference,
    readonly transport: Transport,
    private readonly authorizer: Authorizer,
  ) {}

  /** Finds the credential, pings the registry (choosing HTTPS or, where allowed, HTTP) and reads its challenge. */
  static async connect(ref: RegistryReference, options: RegistryOptions = {}): Promise<RegistryClient> {
    const found = await findCredential(ref.registry, ref.repository, options)
    const {transport, ping} = await Transport.open(ref.apiHost, options)
    try {
      if (ping.status !== 200 && ping.status !== 401)
        throw new InputError(
          `${ref.registry} answered ${ping.status} to /v2/: not a registry (the OCI distribution API), or not working`,
        )
      return new RegistryClient(ref, transport, new Authorizer(transport, ref.registry, found, ping))
    } catch (error) {
      await transport.close()
      throw error
    }
  }

  /** The registry's name, as references and messages name it. */
  get registry(): string {
    return this.ref.registry
  }

  /**
   * A request to `/v2/PATH` (or an absolute URL the registry gave, an upload's location), authorized for its scope;
   * asked again once when the registry challenges the token. 401 and 403 answers are errors that name the
   * credential; other answers are the caller's to read.
   */
  async request(path: string, request: ApiRequest = {}): Promise<Response> {
    const scope = repositoryScope(request.repository ?? this.ref.repository, request.actions ?? 'pull')
    const url = /^https?:\/\//.test(path) ? path : this.transport.url(`/v2/${path}`)
    for (let challenged = false; ; challenged = true) {
      if (request.mountFrom) await this.authorizer.header(repositoryScope(request.mountFrom, 'pull'), request.signal)
      const authorization = await this.authorizer.header(scope, request.signal)
      const response = await this.transport.fetch(url, {...request, authorization})
      if (response.status === 401 && !challenged && this.authorizer.challenged(response)) {
        await response.body?.cancel()
        continue
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel()
        throw this.authorizer.refused(response.status, [scope])
      }
      return response
    }
  }

  close(): Promise<void> {
    return this.transport.close()
  }
}
