import {createHash} from 'node:crypto'

import type {Response} from 'undici'

import {InputError} from '../errors.js'
import {apiErrorCodes, type RegistryClient} from './client.js'
import type {Descriptor} from './manifests.js'

/** Blobs up to this size go up in one request; larger ones in chunks of this size (each kept for its retry). */
export const UPLOAD_CHUNK = 16 << 20

/**
 * The distribution API's blob uploads to one repository: HEAD to skip a blob the registry has, a cross-repository
 * mount, and uploads of a stream whose digest is known only at its end (one PUT when it fits a chunk, else PATCH
 * chunks and a closing PUT). An upload session not closed is cancelled by `cancel` (a failure, Ctrl-C).
 */
export class BlobUploads {
  private readonly open = new Set<string>()

  constructor(
    private readonly client: RegistryClient,
    private readonly signal: AbortSignal,
  ) {}

  private get repository(): string {
    return this.client.ref.repository
  }

  private async refused(response: Response, what: string): Promise<InputError> {
    const {text} = await apiErrorCodes(response)
    return new InputError(
      `${this.client.registry}/${this.repository}: the registry answered ${response.status} to ${what}: ${text}`,
    )
  }

  /** Whether the repository has the blob already. */
  async has(digest: string): Promise<boolean> {
    const response = await this.client.request(`${this.repository}/blobs/${digest}`, {
      method: 'HEAD',
      actions: 'pull,push',
      signal: this.signal,
    })
    if (response.status !== 200 && response.status !== 404) throw await this.refused(response, `HEAD ${digest}`)
    await response.body?.cancel()
    return response.status === 200
  }

  /** Mounts a blob from another repository of the same registry; false when the registry would not. */
  async mount(digest: string, from: string): Promise<boolean> {
    const query = new URLSearchParams({mount: digest, from})
    const response = await this.client.request(`${this.repository}/blobs/uploads/?${query}`, {
      method: 'POST',
      actions: 'pull,push',
      mountFrom: from,
      signal: this.signal,
    })
    if (response.status !== 201 && response.status !== 202)
      throw await this.refused(response, `a mount of ${digest} from ${from}`)
    await response.body?.cancel()
    // 202: the registry opened an ordinary upload instead, which is not wanted
    const location = response.headers.get('location')
    if (response.status === 202 && location) await this.close(this.resolve(location))
    return response.status === 201
  }

  private resolve(location: string): string {
    return new URL(location, this.client.transport.url('/')).href
  }

  private async start(): Promise<string> {
    const response = await this.client.request(`${this.repository}/blobs/uploads/`, {
      method: 'POST',
      actions: 'pull,push',
      headers: {'content-length': '0'},
      signal: this.signal,
    })
    const location = response.headers.get('location')
    if (response.status !== 202 || !location) throw await this.refused(response, 'the start of an upload')
    await response.body?.cancel()
    const url = this.resolve(location)
    this.open.add(url)
    return url
  }

  /** Sends one chunk of an upload; returns where the next goes. */
  private async patch(url: string, chunk: Buffer, offset: number): Promise<string> {
    const response = await this.client.request(url, {
      method: 'PATCH',
      actions: 'pull,push',
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + chunk.length - 1}`,
        'content-length': String(chunk.length),
      },
      body: chunk,
      signal: this.signal,
    })
    const location = response.headers.get('location')
    if (response.status !== 202 || !location) throw await this.refused(response, `a chunk at byte ${offset}`)
    await response.body?.cancel()
    const next = this.resolve(location)
    this.open.delete(url)
    this.open.add(next)
    return next
  }

  /** Closes an upload with its digest (and the last bytes, if any). */
  private async finish(url: string, digest: string, last: Buffer): Promise<void> {
    const target = new URL(url)
    target.searchParams.set('digest', digest)
    const response = await this.client.request(target.href, {
      method: 'PUT',
      actions: 'pull,push',
      headers: {'content-type': 'application/octet-stream', 'content-length': String(last.length)},
      body: last,
      signal: this.signal,
    })
    if (response.status !== 201) throw await this.refused(response, `the end of the upload of ${digest}`)
    await response.body?.cancel()
    this.open.delete(url)
  }

  /** Uploads a stream: hashed as it goes, one PUT if it fits a chunk, else chunk by chunk. */
  async upload(source: AsyncIterable<Buffer>): Promise<Pick<Descriptor, 'digest' | 'size'>> {
    const hash = createHash('sha256')
    let url: string | undefined
    let pending: Buffer[] = []
    let pendingBytes = 0
    let sent = 0
    for await (const piece of source) {
      hash.update(piece)
      pending.push(piece)
      pendingBytes += piece.length
      while (pendingBytes >= UPLOAD_CHUNK) {
        const joined = Buffer.concat(pending, pendingBytes)
        url = await this.patch(url ?? (await this.start()), joined.subarray(0, UPLOAD_CHUNK), sent)
        sent += UPLOAD_CHUNK
        pending = [joined.subarray(UPLOAD_CHUNK)]
        pendingBytes -= UPLOAD_CHUNK
      }
    }
    const digest = `sha256:${hash.digest('hex')}`
    await this.finish(url ?? (await this.start()), digest, Buffer.concat(pending, pendingBytes))
    return {digest, size: sent + pendingBytes}
  }

  /** Uploads bytes already in memory (a config) unless the repository has them. */
  async put(bytes: Buffer): Promise<Pick<Descriptor, 'digest' | 'size'>> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    if (!(await this.has(digest))) await this.finish(await this.start(), digest, bytes)
    return {digest, size: bytes.length}
  }

  /** Cancels an upload session (DELETE), as far as the registry lets it. */
  private async close(url: string): Promise<void> {
    this.open.delete(url)
    const response = await this.client.request(url, {method: 'DELETE', actions: 'pull,push'}).catch(() => undefined)
    await response?.body?.cancel()
  }

  /** Cancels every upload session still open. */
  async cancel(): Promise<void> {
    await Promise.all([...this.open].map((url) => this.close(url)))
  }
}
