import {createHash} from 'node:crypto'

import {InputError} from '../errors.js'
import {apiErrorCodes, type RegistryClient} from './client.js'

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const DOCKER_SCHEMA1 = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]

/** The manifest types this tool reads: OCI index and manifest, Docker manifest list and schema 2. */
const READ = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST]
export const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_LIST])

/** A content descriptor: what a manifest says of a blob or another manifest. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
}

/** A manifest as fetched: its bytes, type and digest, and the JSON. */
export interface FetchedManifest {
  bytes: Buffer
  mediaType: string
  digest: string
  json: {
    schemaVersion?: number
    mediaType?: string
    config?: Descriptor
    layers?: Descriptor[]
    manifests?: Descriptor[]
  }
}

export const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** Why a manifest is not there: no such repository, or no such tag (and which it has) or digest. */
async function missing(
  client: RegistryClient,
  reference: string,
  name: string,
  codes: string[],
  signal?: AbortSignal,
): Promise<InputError> {
  const repository = `${client.registry}/${client.ref.repository}`
  let tags: string[] | undefined
  if (!codes.includes('NAME_UNKNOWN')) {
    const listed = await client.request(`${client.ref.repository}/tags/list`, {signal})
    if (listed.status === 200) tags = ((await listed.json()) as {tags?: string[] | null}).tags ?? []
    else codes = (await apiErrorCodes(listed)).codes
  }
  if (codes.includes('NAME_UNKNOWN') || tags?.length === 0)
    return new InputError(`${name}: no repository ${client.ref.repository} on ${client.registry}`)
  const has = tags ? ` (it has ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', …' : ''})` : ''
  return new InputError(
    reference.startsWith('sha256:')
      ? `${name}: no manifest ${reference} in ${repository}`
      : `${name}: no tag ${reference} in ${repository}${has}`,
  )
}

/** Manifests larger than this are refused (the distribution spec allows registries 4 MiB). */
const MAX_MANIFEST = 16 << 20

/**
 * GETs a manifest by tag or digest, accepting the four types read here. A schema 1 manifest is refused in a sentence,
 * as are an unknown type, bytes that are not JSON, and bytes whose digest is not the one asked for. `name` is how
 * messages call the image.
 */
export async function getManifest(
  client: RegistryClient,
  reference: string,
  name: string,
  signal?: AbortSignal,
): Promise<FetchedManifest> {
  const response = await client.request(`${client.ref.repository}/manifests/${reference}`, {
    headers: {accept: READ.join(', ')},
    signal,
  })
  if (response.status === 404) {
    const {codes} = await apiErrorCodes(response)
    throw await missing(client, reference, name, codes, signal)
  }
  if (response.status !== 200) {
    const {text} = await apiErrorCodes(response)
    throw new InputError(`${name}: the registry answered ${response.status} for the manifest: ${text}`)
  }
  const bytes = Buffer.from(await response.arrayBuffer())
  if (bytes.length > MAX_MANIFEST) throw new InputError(`${name}: the manifest is too large (${bytes.length} bytes)`)
  const digest = sha256(bytes)
  if (reference.startsWith('sha256:') && digest !== reference)
    throw new InputError(`${name}: the manifest's bytes do not match its digest ${reference} (they hash to ${digest})`)
  let json: FetchedManifest['json']
  try {
    json = JSON.parse(bytes.toString('utf8')) as FetchedManifest['json']
  } catch (error) {
    throw new InputError(`${name}: the manifest is not JSON (${(error as Error).message})`)
  }
  if (json === null || typeof json !== 'object') throw new InputError(`${name}: the manifest is not a JSON object`)
  const header = response.headers.get('content-type')?.split(';')[0].trim()
  const mediaType = json.mediaType ?? header ?? ''
  if (json.schemaVersion === 1 || DOCKER_SCHEMA1.includes(mediaType))
    throw new InputError(
      `${name}: a Docker schema 1 manifest (deprecated, and not read here); copy the image again with a current ` +
        `docker, skopeo or crane, which write schema 2`,
    )
  if (!READ.includes(mediaType)) {
    // an OCI manifest may leave mediaType out: its shape tells
    if (!json.mediaType && Array.isArray(json.manifests)) return {bytes, digest, mediaType: OCI_INDEX, json}
    if (!json.mediaType && json.config && Array.isArray(json.layers))
      return {bytes, digest, mediaType: OCI_MANIFEST, json}
    throw new InputError(
      `${name}: unknown manifest media type ${JSON.stringify(mediaType)} (read: OCI index and manifest, Docker manifest list and schema 2)`,
    )
  }
  return {bytes, digest, mediaType, json}
}
