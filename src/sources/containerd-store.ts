import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import type {NoLayerStore} from './engine-store.js'
import {imageFromStore} from './image-from-store.js'
import {LayoutDir} from './layout-dir.js'
import {blobPath, resolveIndex, type ResolvedImage} from './manifest.js'
import type {LayerReadOptions} from './read-layer.js'

/**
 * Where containerd keeps the content of an engine whose data root is `root`: the containerd dockerd starts for
 * itself (under its data root), then the system's containerd (a stock Docker 29 install uses that one).
 */
export function contentStores(root: string): string[] {
  return [
    join(root, 'containerd', 'daemon', 'io.containerd.content.v1.content'),
    '/var/lib/containerd/io.containerd.content.v1.content',
  ]
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** The content store holding the blob the image ID names, checked by its digest, and that blob; or why none does. */
async function findContentStore(root: string, id: string): Promise<{content: string; top: Buffer} | NoLayerStore> {
  let refused: string | undefined
  for (const content of contentStores(root)) {
    try {
      const top = await readFile(join(content, blobPath(id, 'the image ID')))
      if (sha256(top) === id) return {content, top}
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM') refused ??= content
    }
  }
  if (refused) return {reason: `no permission to read containerd's content store ${refused}`, permission: true}
  const looked = contentStores(root).join(', ')
  return {reason: `no containerd content store here holds ${id}, the image's index or manifest (${looked})`}
}

/**
 * An engine image read from containerd's image store (the engine's `driver-type` is a containerd snapshotter)
 * without `docker save`: the image ID is the digest of its index or manifest blob in containerd's content store,
 * whose `blobs/` directory is an OCI layout's, so the layout reader picks the platform and reads the manifest, the
 * config and the layer blobs (stream-decompressed), each checked against its digest as it is read. Strictly
 * read-only. When the store lacks a blob the image needs (layers never unpacked here or garbage-collected, another
 * platform's), says why instead, and the caller falls back to `docker save`.
 */
export async function openContainerdImage(
  root: string,
  ref: string,
  identity: {id: string; repoTags: string[]},
  reading: LayerReadOptions,
  platform: string | undefined,
): Promise<Image | NoLayerStore> {
  const found = await findContentStore(root, identity.id)
  if ('reason' in found) return found
  const {content, top} = found
  let mediaType: string | undefined
  try {
    const parsed = JSON.parse(top.toString('utf8')) as {mediaType?: string; manifests?: unknown}
    mediaType = parsed.mediaType ?? (Array.isArray(parsed.manifests) ? OCI_INDEX : OCI_MANIFEST)
  } catch {
    return {reason: `the image's ${identity.id} in ${content} is not an index or a manifest`}
  }
  const store = new LayoutDir(`docker-daemon:${ref}`, content, true)
  let resolved: ResolvedImage
  try {
    await store.scan(join(content, 'blobs'))
    resolved = await resolveIndex(store, {manifests: [{mediaType, digest: identity.id}]}, {platform}, 'the image')
  } catch (error) {
    await store.close()
    if (error instanceof InputError) return {reason: `${error.message.replace(`${store.name}: `, '')} in ${content}`}
    throw error
  }
  const missing = resolved.layers.findIndex((path) => !store.has(path))
  if (missing !== -1)
    return {
      reason:
        `layer ${missing}'s blob ${resolved.layers[missing].replace('blobs/sha256/', 'sha256:')} is not in ` +
        `containerd's content store ${content} (not kept after unpacking, or garbage-collected)`,
    }
  try {
    const image = await imageFromStore(store, {}, reading, resolved)
    return {...image, source: {kind: 'daemon', name: ref, format: 'containerd-store'}, ...identity}
  } catch (error) {
    await store.close()
    throw error
  }
}
