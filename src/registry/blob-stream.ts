import {createHash} from 'node:crypto'

import {InputError} from '../errors.js'
import {apiErrorCodes, type RegistryClient} from './client.js'
import type {Descriptor} from './manifests.js'

export interface BlobStreamOptions {
  signal?: AbortSignal
  /** Told each chunk's length as it arrives (the progress counters). */
  onBytes?: (bytes: number) => void
  /** How often a dropped connection is resumed before giving up. */
  resumes?: number
}

/**
 * A blob's bytes as they arrive, never stored: its sha256 and length are checked as they stream, and a mismatch is
 * an error naming the blob (raised once the last byte is in). A connection that drops mid-blob is resumed with a
 * `Range` request from the byte it reached (a server that ignores Range is read again from the start, the bytes
 * already had passed over). `name` is how messages call the image.
 */
export async function* blobStream(
  client: RegistryClient,
  blob: Pick<Descriptor, 'digest' | 'size'>,
  name: string,
  options: BlobStreamOptions = {},
): AsyncGenerator<Buffer> {
  const {digest, size} = blob
  const label = `${name}: blob ${digest}`
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new InputError(`${label}: only sha256 digests are read`)
  const resumes = options.resumes ?? 3
  const hash = createHash('sha256')
  let received = 0
  for (let drops = 0; ; drops++) {
    const response = await client
      .request(`${client.ref.repository}/blobs/${digest}`, {
        headers: received > 0 ? {range: `bytes=${received}-`} : {},
        signal: options.signal,
      })
      .catch((error: Error) => {
        if (received === 0 || options.signal?.aborted) throw error
        throw new InputError(
          `${label}: the connection dropped at byte ${received} of ${size}, and resuming failed: ${error.message}`,
        )
      })
    if (response.status === 404)
      throw new InputError(`${label} is missing from ${client.registry}/${client.ref.repository}`)
    if (response.status !== 200 && response.status !== 206) {
      const {text} = await apiErrorCodes(response)
      throw new InputError(`${label}: the registry answered ${response.status}: ${text}`)
    }
    if (response.status === 206 && !response.headers.get('content-range')?.startsWith(`bytes ${received}-`)) {
      await response.body?.cancel()
      throw new InputError(`${label}: the registry resumed at another byte than ${received}`)
    }
    // a full answer to a resume: pass over what was already had
    let skip = response.status === 200 ? received : 0
    let failure: unknown
    try {
      for await (const piece of response.body ?? []) {
        let chunk = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)
        if (skip > 0) {
          const passed = Math.min(skip, chunk.length)
          chunk = chunk.subarray(passed)
          skip -= passed
          if (chunk.length === 0) continue
        }
        if (received + chunk.length > size)
          throw new InputError(`${label} is longer than the ${size} bytes its descriptor says`)
        hash.update(chunk)
        received += chunk.length
        options.onBytes?.(chunk.length)
        yield chunk
      }
    } catch (error) {
      if (error instanceof InputError || options.signal?.aborted) throw error
      failure = error
    }
    if (received === size && failure === undefined) break
    if (drops >= resumes) {
      const why = failure ? ` (${(failure as {cause?: Error}).cause?.message ?? (failure as Error).message})` : ''
      throw new InputError(
        `${label}: the connection dropped at byte ${received} of ${size}, and ${resumes} resumes did not finish it${why}`,
      )
    }
  }
  const actual = `sha256:${hash.digest('hex')}`
  if (actual !== digest) throw new InputError(`${label} does not match its digest (its bytes hash to ${actual})`)
}
