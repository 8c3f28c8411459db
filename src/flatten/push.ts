import {createHash} from 'node:crypto'

import {InputError} from '../errors.js'
import type {Image, Layer} from '../image/image.js'
import {apiErrorCodes, RegistryClient, type RegistryOptions} from '../registry/client.js'
import {DOCKER_MANIFEST, OCI_MANIFEST, type Descriptor, sha256} from '../registry/manifests.js'
import {formatReference, parseReference, type RegistryReference} from '../registry/reference.js'
import {BlobUploads} from '../registry/upload.js'
import {detectCompression} from '../tar/compression.js'
import {compressLayer, type OutputCompression} from './compress.js'
import type {OutputJob, Written} from './outputs.js'
import {verifyFlattened} from './verify.js'
import {flattenedConfig, layerMediaType, squashedTar, tap} from './write.js'

const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'

/** A layer's media type in the manifest's flavour: Docker schema 2 knows plain and gzip layers, OCI zstd too. */
function mediaType(docker: boolean, compression: OutputCompression): string {
  if (!docker) return layerMediaType(compression)
  return compression === 'gzip'
    ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
    : 'application/vnd.docker.image.rootfs.diff.tar'
}

function compressionOf(type: string): OutputCompression {
  return /gzip/.test(type) ? 'gzip' : /zstd/.test(type) ? 'zstd' : 'uncompressed'
}

/** The repository of the same registry that already holds the source's blobs, when the source is a registry image. */
function mountSource(image: Image, target: RegistryReference): string | undefined {
  if (image.source.kind !== 'registry') return undefined
  const source = parseReference(image.source.name.replace(/^docker:\/\//, ''), image.source.name)
  return source.registry === target.registry && source.repository !== target.repository ? source.repository : undefined
}

/** How a base layer's blob is compressed: as its descriptor says, else as its first bytes show. */
async function layerCompression(layer: Layer): Promise<OutputCompression> {
  if (layer.descriptor) return compressionOf(layer.descriptor.mediaType)
  const {reader} = await layer.blob!()
  const found = detectCompression(await reader.peek(6))
  return found === 'gzip' || found === 'zstd' ? found : 'uncompressed'
}

/** A stored blob as it goes up: read once to hash (to ask the registry whether it has it), again to upload. */
async function readBlob(layer: Layer): Promise<AsyncIterable<Buffer>> {
  const {reader} = await layer.blob!()
  return reader.chunks()
}

/**
 * Pushes the flattened image to a registry, as crane flatten does: base layers kept by --from skipped when the
 * repository has them (HEAD), mounted from the source's repository on the same registry, else uploaded; the
 * squashed layer streamed up (compressed, hashed as it goes, in chunks when large); the config; the manifest (Docker
 * schema 2 for a Docker source, else OCI; OCI whenever a layer is zstd) last, so that a failure never moves the tag.
 * With --verify the manifest goes up by digest first, is read back and compared, and only then is tagged (a failure
 * before the tag deletes it again, as far as the registry allows deletes).
 */
export async function pushToRegistry(
  target: string,
  options: RegistryOptions,
  {image, plan, output, cleanup, verify, progress}: OutputJob,
): Promise<Written & {manifestDigest: string}> {
  const ref = parseReference(target.replace(/^docker:\/\//, ''), target)
  if (!ref.tag || ref.digest) throw new InputError(`${target}: -t needs a tag to push to, not a digest`)
  const client = await RegistryClient.connect(ref, options)
  const controller = new AbortController()
  const uploads = new BlobUploads(client, controller.signal)
  cleanup.add(async () => {
    controller.abort()
    await uploads.cancel()
    await client.close()
  })
  const from = mountSource(image, ref)
  const baseLayers = image.layers.slice(0, output.base)
  const compressions = await Promise.all(baseLayers.map((layer) => layerCompression(layer)))
  const docker =
    (image.source.format === 'docker-legacy' || image.source.format === 'docker-schema2') &&
    output.compression !== 'zstd' &&
    !compressions.includes('zstd')
  const layers: Descriptor[] = []
  // the bytes counted are the squashed layer's tar: a base blob the registry has, or mounts, sends none
  progress?.expect(plan.tarSize, output.base + 1)
  for (const [index, layer] of baseLayers.entries()) {
    let blob: Pick<Descriptor, 'digest' | 'size'>
    if (layer.descriptor) {
      blob = layer.descriptor
    } else {
      // a local blob: hash it first, so that one the registry has is not sent
      const hash = createHash('sha256')
      const count = {bytes: 0}
      for await (const chunk of tap(await readBlob(layer), hash, count)) void chunk
      blob = {digest: `sha256:${hash.digest('hex')}`, size: count.bytes}
    }
    const present = (await uploads.has(blob.digest)) || (from !== undefined && (await uploads.mount(blob.digest, from)))
    if (!present) {
      const sent = await uploads.upload(await readBlob(layer))
      if (sent.digest !== blob.digest)
        throw new InputError(`${image.source.name}: layer ${layer.index} changed while it was pushed`)
    }
    layers.push({mediaType: mediaType(docker, compressions[index]), ...blob})
    progress?.layerDone()
  }
  // the squashed layer: its tar hashed for the diff_id, its compressed bytes for the blob digest, as they go up
  const diffHash = createHash('sha256')
  const tarBytes = {bytes: 0}
  const tar = tap(squashedTar(plan, image), diffHash, tarBytes, progress)
  const blob = output.compression === 'uncompressed' ? tar : compressLayer(tar, output.compression)
  const squashed = await uploads.upload(blob)
  layers.push({mediaType: mediaType(docker, output.compression), ...squashed})
  const diffIds = [...baseLayers.map((layer) => layer.diffId ?? ''), `sha256:${diffHash.digest('hex')}`]
  const config = Buffer.from(JSON.stringify(flattenedConfig(image, output, diffIds)))
  const configBlob = await uploads.put(config)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
      config: {mediaType: docker ? DOCKER_CONFIG : OCI_CONFIG, ...configBlob},
      layers,
    }),
  )
  const manifestDigest = sha256(manifest)
  const put = async (reference: string) => {
    const response = await client.request(`${ref.repository}/manifests/${reference}`, {
      method: 'PUT',
      actions: 'pull,push',
      headers: {'content-type': docker ? DOCKER_MANIFEST : OCI_MANIFEST},
      body: manifest,
      signal: controller.signal,
    })
    if (response.status !== 201) {
      const {text} = await apiErrorCodes(response)
      throw new InputError(`${target}: the registry refused the manifest (${response.status}): ${text}`)
    }
    await response.body?.cancel()
  }
  let verifiedPaths = 0
  if (verify) {
    await put(manifestDigest)
    // until the tag names it, a failure (or Ctrl-C) deletes the manifest put by digest, where the registry allows it
    let untagged = true
    cleanup.add(async () => {
      if (!untagged) return
      const response = await client.request(`${ref.repository}/manifests/${manifestDigest}`, {
        method: 'DELETE',
        actions: 'pull,push',
      })
      await response.body?.cancel()
    })
    const written = `${formatReference({...ref, tag: undefined, digest: manifestDigest})}`
    const reread = await verify(written).catch((error: Error) => {
      throw new InputError(`--verify: the pushed image does not read back: ${error.message}`)
    })
    verifiedPaths = verifyFlattened(image, reread)
    await put(ref.tag)
    untagged = false
  } else {
    await put(ref.tag)
  }
  return {configDigest: configBlob.digest, diffIds, layerBytes: plan.contentBytes, verifiedPaths, manifestDigest}
}
