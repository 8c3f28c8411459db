import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import type {LayerContents} from '../model/entry.js'
import {blobStream} from '../registry/blob-stream.js'
import {RegistryClient, type RegistryOptions} from '../registry/client.js'
import {
  type Descriptor,
  DOCKER_MANIFEST,
  type FetchedManifest,
  getManifest,
  INDEX_TYPES,
} from '../registry/manifests.js'
import {DOCKER_HUB, manifestReference, parseReference, type RegistryReference} from '../registry/reference.js'
import {type ByteReader, StreamReader} from '../tar/byte-reader.js'
import {imageFromStore} from './image-from-store.js'
import {blobPath, type Selection} from './manifest.js'
import {type LayerReadOptions, readLayer} from './read-layer.js'
import type {ImageStore} from './store.js'

/** Layers fetched and parsed at once, in order, while the model takes them in. */
const LAYERS_IN_FLIGHT = 3
/** Configs larger than this are refused. */
const MAX_CONFIG = 64 << 20

/**
 * A registry image seen as an OCI layout, so that the one resolver picks the image (platforms, --platform): the
 * reference's manifest is `index.json` (an index as it is, an image manifest as an index of one), and every blob a
 * manifest names is at `blobs/sha256/HEX`, fetched when asked for. Layers stream from the registry into the tar
 * walker, never to disk, a few at once; `blob` exists only when the command asked for random access, and fetches
 * the blob again.
 */
class RegistryStore implements ImageStore {
  readonly directory = true
  readonly layersInFlight = LAYERS_IN_FLIGHT
  readonly blob?: (path: string) => Promise<{reader: ByteReader; size: number}>
  /** The image manifest read last: the one the resolver chose (it reads the chosen one after any others). */
  chosen: FetchedManifest | undefined
  private readonly controller = new AbortController()
  /** What the manifests read so far name, by path: other manifests, and blobs. */
  private readonly known = new Map<string, {descriptor: Descriptor; manifest: boolean}>()
  /** Configs read: the resolver reads one to learn its platform, then again to use it. */
  private readonly configs = new Map<string, string>()

  constructor(
    readonly name: string,
    private readonly client: RegistryClient,
    private readonly top: FetchedManifest,
    randomAccess: boolean,
  ) {
    const descriptor = {mediaType: top.mediaType, digest: top.digest, size: top.bytes.length}
    this.known.set(blobPath(top.digest, name), {descriptor, manifest: true})
    if (randomAccess) this.blob = async (path) => ({reader: this.stream(path), size: this.descriptor(path).size})
  }

  /** The compressed bytes of the chosen image's layers: what the progress bar counts. */
  get size(): number | undefined {
    return this.chosen?.json.layers?.reduce((sum, layer) => sum + layer.size, 0)
  }

  has(path: string): boolean {
    return path === 'index.json' || this.known.has(path)
  }

  paths(): Iterable<string> {
    return ['index.json', ...this.known.keys()]
  }

  private descriptor(path: string): Descriptor {
    const entry = this.known.get(path)
    if (!entry) throw new InputError(`${this.name}: no manifest names ${path}`)
    return entry.descriptor
  }

  /** Records what a manifest names; an image manifest becomes the chosen one. */
  private learn(manifest: FetchedManifest): void {
    if (INDEX_TYPES.has(manifest.mediaType)) {
      for (const descriptor of manifest.json.manifests ?? [])
        this.known.set(blobPath(descriptor.digest, this.name), {descriptor, manifest: true})
      return
    }
    const {config, layers} = manifest.json
    if (!config?.digest || !Array.isArray(layers))
      throw new InputError(`${this.name}: manifest ${manifest.digest} has no config or no layers`)
    for (const descriptor of [config, ...layers])
      this.known.set(blobPath(descriptor.digest, this.name), {descriptor, manifest: false})
    this.chosen = manifest
  }

  async readText(path: string): Promise<string> {
    if (path === 'index.json') {
      this.learn(this.top)
      if (INDEX_TYPES.has(this.top.mediaType)) return this.top.bytes.toString('utf8')
      const descriptor = {mediaType: this.top.mediaType, digest: this.top.digest, size: this.top.bytes.length}
      return JSON.stringify({schemaVersion: 2, manifests: [descriptor]})
    }
    const {descriptor, manifest} = this.known.get(path) ?? {descriptor: this.descriptor(path), manifest: false}
    if (manifest) {
      const fetched =
        descriptor.digest === this.top.digest
          ? this.top
          : await getManifest(this.client, descriptor.digest, this.name, this.controller.signal)
      this.learn(fetched)
      return fetched.bytes.toString('utf8')
    }
    const cached = this.configs.get(path)
    if (cached !== undefined) return cached
    if (descriptor.size > MAX_CONFIG)
      throw new InputError(`${this.name}: ${descriptor.digest} is too large for a config (${descriptor.size} bytes)`)
    const chunks: Buffer[] = []
    for await (const chunk of blobStream(this.client, descriptor, this.name, {signal: this.controller.signal}))
      chunks.push(chunk)
    const text = Buffer.concat(chunks).toString('utf8')
    this.configs.set(path, text)
    return text
  }

  private stream(path: string, onBytes?: (bytes: number) => void): StreamReader {
    const options = {signal: this.controller.signal, onBytes}
    return new StreamReader(blobStream(this.client, this.descriptor(path), this.name, options))
  }

  async layer(path: string, where: string, {progress, hash}: LayerReadOptions): Promise<LayerContents> {
    const reader = this.stream(path, (bytes) => progress.advance(bytes))
    let contents: LayerContents
    try {
      contents = await readLayer(reader, where, hash)
    } catch (error) {
      // a blob that fails its digest makes the parser fail first: the digest is the better reason
      const mismatch = await reader.skip(Number.MAX_SAFE_INTEGER).then(
        () => undefined,
        (failure: unknown) => failure,
      )
      throw mismatch instanceof InputError ? mismatch : error
    }
    // the bytes after the tar's end, so that the blob's length and digest are checked
    await reader.skip(Number.MAX_SAFE_INTEGER)
    progress.layerDone()
    return contents
  }

  async close(): Promise<void> {
    this.controller.abort()
    await this.client.close()
  }
}

/** How docker lists a registry image's tag: `alpine:latest` for an official image, else `HOST/REPO:TAG`. */
function repoTag(ref: RegistryReference): string {
  const name =
    ref.registry === DOCKER_HUB ? ref.repository.replace(/^library\//, '') : `${ref.registry}/${ref.repository}`
  return `${name}:${ref.tag}`
}

/**
 * An image in a registry (`docker://…`), read without an engine and without a temporary file: the manifest (an
 * index resolved by --platform, default the host's), the config, then the layers streamed into the parser.
 */
export async function openRegistryImage(
  reference: string,
  selection: Selection,
  reading: LayerReadOptions,
  randomAccess: boolean,
  options: RegistryOptions,
): Promise<Image> {
  if (selection.image)
    throw new InputError(`--image picks an image in an archive; ${reference} names one image already`)
  const ref = parseReference(reference.replace(/^docker:\/\//, ''), reference)
  const client = await RegistryClient.connect(ref, options)
  let store: RegistryStore | undefined
  try {
    const top = await getManifest(client, manifestReference(ref), reference)
    store = new RegistryStore(reference, client, top, randomAccess)
    const image = await imageFromStore(store, selection, reading)
    const manifest = store.chosen as FetchedManifest
    const descriptors = manifest.json.layers ?? []
    return {
      ...image,
      source: {
        kind: 'registry',
        name: reference,
        format: manifest.mediaType === DOCKER_MANIFEST ? 'docker-schema2' : 'oci',
      },
      repoTags: ref.tag ? [repoTag(ref)] : [],
      layers: image.layers.map((layer) => ({...layer, descriptor: descriptors[layer.index]})),
    }
  } catch (error) {
    await (store ?? client).close()
    throw error
  }
}
