import {InputError} from '../errors.js'
import type {ImageStore} from './store.js'
import type {ImageConfig, SourceInfo} from '../image/image.js'
import {formatPlatform, hostPlatform, parsePlatform, type Platform, platformMatches} from '../image/platform.js'

/** How to pick one image from an archive or layout. */
export interface Selection {
  /** REPO:TAG (or an OCI ref name) of the image wanted. */
  image?: string
  /** os/arch[/variant]. */
  platform?: string
  /** A config digest the image must have (the daemon source knows it). */
  id?: string
}

export interface ResolvedImage {
  format: NonNullable<SourceInfo['format']>
  id: string
  repoTags: string[]
  config: ImageConfig
  /** Where each layer's blob is in the store, from the bottom layer up. */
  layers: string[]
  notes: string[]
}

interface DockerManifestEntry {
  Config?: string
  RepoTags?: string[] | null
  Layers?: string[]
  LayerSources?: Record<string, unknown>
}

export interface Descriptor {
  mediaType?: string
  digest?: string
  platform?: Platform
  annotations?: Record<string, string>
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new InputError(`${what} is not valid JSON (${(error as Error).message})`)
  }
}

export function blobPath(digest: string, what: string): string {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest)
  if (!m) throw new InputError(`${what}: bad digest ${JSON.stringify(digest)}`)
  return `blobs/${m[1]}/${m[2]}`
}

/** Docker's short forms: `busybox` is `busybox:latest`, `docker.io/library/x` is `x`. */
export function normalizeRef(ref: string): string {
  let name = ref
    .replace(/^docker\.io\/library\//, '')
    .replace(/^docker\.io\//, '')
    .replace(/^index\.docker\.io\/library\//, '')
  const lastSlash = name.lastIndexOf('/')
  if (!name.includes('@') && !name.slice(lastSlash + 1).includes(':')) name = `${name}:latest`
  return name
}

function sha256Of(path: string): string | undefined {
  const m = /(?:^|\/)(?:sha256[:/])?([0-9a-f]{64})(?:\.json)?$/.exec(path)
  return m ? `sha256:${m[1]}` : undefined
}

/** Reads the image an archive or layout holds: `manifest.json` first (docker save), else `index.json` (OCI). */
export async function resolveImage(store: ImageStore, selection: Selection): Promise<ResolvedImage | undefined> {
  if (store.has('manifest.json')) return resolveDockerManifest(store, selection)
  if (store.has('index.json')) return resolveOciIndex(store, selection)
  const paths = [...store.paths()]
  if (
    paths.some(
      (p) => p === 'repositories' || p === 'oci-layout' || /^[^/]+\/layer\.tar$/.test(p) || p.startsWith('blobs/'),
    )
  ) {
    throw new InputError(`${store.name}: image archive without manifest.json or index.json`)
  }
  return undefined
}

async function resolveDockerManifest(store: ImageStore, selection: Selection): Promise<ResolvedImage> {
  const manifest = parseJson<unknown>(await store.readText('manifest.json'), `${store.name}: manifest.json`)
  if (manifest === null) throw new InputError(`${store.name}: manifest.json is null`)
  if (isImageManifest(manifest)) return resolveDirManifest(store, manifest, selection)
  if (!Array.isArray(manifest) || manifest.length === 0)
    throw new InputError(`${store.name}: manifest.json lists no images`)
  const entries = manifest as DockerManifestEntry[]
  const notes: string[] = []
  let chosen: DockerManifestEntry | undefined
  const tagsOf = (entry: DockerManifestEntry) => entry.RepoTags ?? []
  if (selection.image) {
    const wanted = normalizeRef(selection.image)
    chosen = entries.find((entry) => tagsOf(entry).some((tag) => normalizeRef(tag) === wanted))
    if (!chosen) {
      const known = entries.flatMap(tagsOf)
      throw new InputError(
        `${store.name}: no image ${selection.image} in the archive (it ` +
          `holds ${known.length > 0 ? known.join(', ') : 'untagged images only'})`,
      )
    }
  } else if (selection.id) {
    chosen = entries.find((entry) => entry.Config && sha256Of(entry.Config) === selection.id) ?? entries[0]
  } else {
    chosen = entries[0]
    if (entries.length > 1) {
      const others = entries.slice(1).map((entry) => tagsOf(entry)[0] ?? entry.Config ?? '?')
      notes.push(
        `${store.name} holds ${entries.length} images; reading ${tagsOf(chosen)[0] ?? chosen.Config}, pick ` +
          `another with --image (${others.join(', ')})`,
      )
    }
  }
  if (!chosen.Config || !Array.isArray(chosen.Layers))
    throw new InputError(`${store.name}: manifest.json entry without Config or Layers`)
  if (!store.has(chosen.Config))
    throw new InputError(`${store.name}: config ${chosen.Config} named by manifest.json is missing`)
  const config = parseJson<ImageConfig>(await store.readText(chosen.Config), `${store.name}: ${chosen.Config}`)
  checkPlatform(store, config, selection)
  const oci = chosen.LayerSources !== undefined || chosen.Layers.some((layer) => layer.startsWith('blobs/'))
  return {
    format: oci ? 'docker-oci' : 'docker-legacy',
    id: sha256Of(chosen.Config) ?? chosen.Config,
    repoTags: tagsOf(chosen),
    config,
    layers: chosen.Layers,
    notes,
  }
}

interface ImageManifest {
  config: Descriptor & {digest: string}
  layers: Descriptor[]
}

function isImageManifest(value: unknown): value is ImageManifest {
  const manifest = value as Partial<ImageManifest>
  return (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof manifest.config?.digest === 'string' &&
    Array.isArray(manifest.layers)
  )
}

/** Where skopeo's `dir:` transport keeps a blob: its hex digest for sha256, `ALGORITHM-HEX` for others. */
function dirBlobPath(digest: string | undefined, what: string): string {
  const [algorithm, hex] = blobPath(digest ?? '', what)
    .split('/')
    .slice(1)
  return algorithm === 'sha256' ? hex : `${algorithm}-${hex}`
}

/**
 * skopeo's `dir:` copy and podman's `save --format docker-dir|oci-dir`: one image manifest (Docker schema 2 or
 * OCI) as manifest.json, with each blob in a file named by its digest.
 */
async function resolveDirManifest(
  store: ImageStore,
  manifest: ImageManifest,
  selection: Selection,
): Promise<ResolvedImage> {
  const configPath = dirBlobPath(manifest.config.digest, `${store.name}: manifest.json config`)
  if (!store.has(configPath)) throw new InputError(`${store.name}: config ${manifest.config.digest} is missing`)
  const config = parseJson<ImageConfig>(await store.readText(configPath), `${store.name}: ${configPath}`)
  checkPlatform(store, config, selection)
  return {
    format: 'dir',
    id: manifest.config.digest,
    repoTags: [],
    config,
    layers: manifest.layers.map((layer, i) => dirBlobPath(layer.digest, `${store.name}: manifest.json layer ${i}`)),
    notes: [],
  }
}

/** An image of one platform read with --platform: the platform must be the image's own, as docker requires. */
function checkPlatform(store: ImageStore, config: ImageConfig, selection: Selection): void {
  if (!selection.platform) return
  const actual = {os: config.os, architecture: config.architecture, variant: config.variant}
  if (!platformMatches(parsePlatform(selection.platform), actual))
    throw new InputError(
      `${store.name}: no image for platform ${selection.platform} (it has ${formatPlatform(actual)})`,
    )
}

interface Candidate {
  manifest: Descriptor
  platform?: Platform
  names: string[]
}

async function collectManifests(
  store: ImageStore,
  index: {manifests?: Descriptor[]},
  inherited: string[],
  depth: number,
  out: Candidate[],
): Promise<void> {
  if (depth > 8) throw new InputError(`${store.name}: index.json nests indexes too deeply`)
  for (const descriptor of index.manifests ?? []) {
    const names = [
      ...inherited,
      ...[
        descriptor.annotations?.['org.opencontainers.image.ref.name'],
        descriptor.annotations?.['io.containerd.image.name'],
      ].filter((n): n is string => Boolean(n)),
    ]
    if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue
    const path = blobPath(descriptor.digest ?? '', `${store.name}: index`)
    if (!store.has(path)) continue // multi-platform indexes often ship only some platforms
    if (descriptor.mediaType && INDEX_TYPES.has(descriptor.mediaType)) {
      const nested = parseJson<{manifests?: Descriptor[]}>(await store.readText(path), `${store.name}: ${path}`)
      await collectManifests(store, nested, names, depth + 1, out)
    } else {
      out.push({manifest: descriptor, platform: descriptor.platform, names})
    }
  }
}

async function resolveOciIndex(store: ImageStore, selection: Selection): Promise<ResolvedImage> {
  const index = parseJson<{manifests?: Descriptor[]}>(await store.readText('index.json'), `${store.name}: index.json`)
  if (index === null || typeof index !== 'object')
    throw new InputError(`${store.name}: index.json is not an image index`)
  return resolveIndex(store, index, selection, 'index.json')
}

/**
 * The image an index names among the blobs present in `store` (`blobs/ALG/HEX`): by name, then by platform (the
 * one asked for, else this host's when there are several). `what` names the index in messages.
 */
export async function resolveIndex(
  store: ImageStore,
  index: {manifests?: Descriptor[]},
  selection: Selection,
  what: string,
): Promise<ResolvedImage> {
  let candidates: Candidate[] = []
  await collectManifests(store, index, [], 0, candidates)
  if (candidates.length === 0) throw new InputError(`${store.name}: ${what} names no image manifest present`)
  const notes: string[] = []
  if (selection.image) {
    const wanted = selection.image
    const byName = candidates.filter((c) =>
      c.names.some((n) => n === wanted || normalizeRef(n) === normalizeRef(wanted) || n.endsWith(`:${wanted}`)),
    )
    if (byName.length === 0)
      throw new InputError(
        `${store.name}: no image ${wanted} in the layout (it ` +
          `holds ${[...new Set(candidates.flatMap((c) => c.names))].join(', ') || 'unnamed images only'})`,
      )
    candidates = byName
  }
  const withPlatform = await Promise.all(
    candidates.map(async (c) => {
      if (c.platform) return c
      const manifest = parseJson<{config?: Descriptor}>(
        await store.readText(blobPath(c.manifest.digest ?? '', store.name)),
        `${store.name}: manifest`,
      )
      const configPath = blobPath(manifest.config?.digest ?? '', `${store.name}: manifest config`)
      if (!store.has(configPath)) return c
      const config = parseJson<ImageConfig>(await store.readText(configPath), `${store.name}: config`)
      return {...c, platform: {os: config.os, architecture: config.architecture, variant: config.variant}}
    }),
  )
  const real = withPlatform.filter((c) => c.platform?.os !== 'unknown')
  let chosen: Candidate | undefined
  if (selection.platform) {
    const wanted = parsePlatform(selection.platform)
    chosen = real.find((c) => c.platform && platformMatches(wanted, c.platform))
    if (!chosen)
      throw new InputError(`${store.name}: no image for platform ${selection.platform} (it has ${listPlatforms(real)})`)
  } else if (real.length === 1) {
    chosen = real[0]
  } else {
    const host = hostPlatform()
    const forHost = real.filter((c) => c.platform && platformMatches(host, c.platform))
    const distinct = new Set(real.map((c) => formatPlatform(c.platform ?? {})))
    if (forHost.length >= 1 && distinct.size > 1) chosen = forHost[0]
    else if (distinct.size > 1)
      throw new InputError(
        `${store.name}: several platforms and none is this host's (${formatPlatform(host)}); choose one with ` +
          `--platform: ${listPlatforms(real)}`,
      )
    else chosen = real[0]
    if (real.length > 1 && distinct.size === 1) {
      notes.push(
        `${store.name} holds ${real.length} images; reading ${chosen.names[0] ?? chosen.manifest.digest}, pick another with --image (${real
          .slice(1)
          .map((c) => c.names[0] ?? c.manifest.digest)
          .join(', ')})`,
      )
    }
  }
  const manifestPath = blobPath(chosen.manifest.digest ?? '', store.name)
  const manifest = parseJson<{config?: Descriptor; layers?: Descriptor[]}>(
    await store.readText(manifestPath),
    `${store.name}: ${manifestPath}`,
  )
  if (!manifest.config?.digest || !Array.isArray(manifest.layers))
    throw new InputError(`${store.name}: ${manifestPath} is not an image manifest`)
  const configPath = blobPath(manifest.config.digest, store.name)
  if (!store.has(configPath)) throw new InputError(`${store.name}: config ${manifest.config.digest} is missing`)
  const config = parseJson<ImageConfig>(await store.readText(configPath), `${store.name}: ${configPath}`)
  return {
    format: 'oci',
    id: manifest.config.digest,
    repoTags: chosen.names.filter((n) => n.includes(':') || n.includes('/')).map((n) => n),
    config,
    layers: manifest.layers.map((layer) => blobPath(layer.digest ?? '', store.name)),
    notes,
  }
}

function listPlatforms(candidates: Candidate[]): string {
  return [...new Set(candidates.map((c) => formatPlatform(c.platform ?? {})))].join(', ')
}
