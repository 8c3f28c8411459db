import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {compress as zstdCompress} from 'zstd-napi'

import {type Member, tarOf} from './tar.js'

/** A layer: members written with `tarOf`, or tar bytes taken as they are (a generated layer). */
export type LayerSpec = ({members: Member[]} | {tar: Buffer}) & {createdBy?: string}

/** The uncompressed tar of a layer. */
export function layerTar(layer: LayerSpec): Buffer {
  return 'tar' in layer ? layer.tar : tarOf(layer.members)
}

export interface ImageSpec {
  layers: LayerSpec[]
  tag?: string
  /** History entries without a layer, inserted after the layer of that index. */
  emptyAfter?: Record<number, string[]>
  os?: string
  architecture?: string
  variant?: string
  config?: Record<string, unknown>
}

export type Compression = 'none' | 'gzip' | 'zstd'

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

export function compress(data: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(data)
  if (compression === 'zstd') return zstdCompress(data)
  return data
}

interface BuiltImage {
  tars: Buffer[]
  diffIds: string[]
  config: Buffer
  configDigest: string
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const tars = spec.layers.map(layerTar)
  const diffIds = tars.map((tar) => `sha256:${sha(tar)}`)
  const history: Array<Record<string, unknown>> = []
  spec.layers.forEach((layer, index) => {
    history.push({created: '2024-01-01T00:00:00Z', created_by: layer.createdBy ?? `layer ${index}`})
    for (const cmd of spec.emptyAfter?.[index] ?? [])
      history.push({created: '2024-01-01T00:00:00Z', created_by: cmd, empty_layer: true})
  })
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? 'amd64',
      os: spec.os ?? 'linux',
      ...(spec.variant ? {variant: spec.variant} : {}),
      created: '2024-01-01T00:00:00Z',
      config: spec.config ?? {Cmd: ['sh']},
      rootfs: {type: 'layers', diff_ids: diffIds},
      history,
    }),
  )
  return {tars, diffIds, config, configDigest: `sha256:${sha(config)}`}
}

/** A legacy `docker save` archive (`<id>/layer.tar`, `<config>.json`, manifest.json last). */
export function legacySave(
  specs: ImageSpec[],
  options: {compression?: Compression; configName?: 'json' | 'sha256'} = {},
): Buffer {
  const members: Member[] = []
  const manifest: unknown[] = []
  const seen = new Set<string>()
  for (const spec of specs) {
    const image = buildImage(spec)
    const layers = image.tars.map((tar, index) => {
      const id = sha(`${image.diffIds[index]}`)
      const data = compress(tar, options.compression ?? 'none')
      const name = options.compression === 'gzip' ? `${id}.tar.gz` : `${id}/layer.tar`
      if (!seen.has(name)) {
        seen.add(name)
        if (!name.endsWith('.tar.gz'))
          members.push({path: `${id}/`, type: 'dir'}, {path: `${id}/VERSION`, content: '1.0'})
        members.push({path: name, content: data})
      }
      return name
    })
    const configName = options.configName === 'sha256' ? image.configDigest : `${image.configDigest.slice(7)}.json`
    members.push({path: configName, content: image.config})
    manifest.push({Config: configName, RepoTags: spec.tag ? [spec.tag] : null, Layers: layers})
  }
  members.push({path: 'manifest.json', content: JSON.stringify(manifest)}, {path: 'repositories', content: '{}'})
  return tarOf(members)
}

interface Blob {
  digest: string
  data: Buffer
}

function blob(data: Buffer | string): Blob {
  const buffer = Buffer.from(data)
  return {digest: `sha256:${sha(buffer)}`, data: buffer}
}

interface OciOptions {
  compression?: Compression
  /** Docker 25+ save: adds manifest.json with LayerSources. */
  dockerManifest?: boolean
  /** containerd store: the image is an index (per platform) inside index.json. */
  nestedIndex?: boolean
  /** A multi-platform image: the specs are the platforms of one image index, which index.json names. */
  platforms?: boolean
}

/** The files of an OCI image layout holding the images (one per spec), path → content. */
export function ociLayoutFiles(specs: ImageSpec[], options: OciOptions = {}): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const put = (b: Blob) => files.set(`blobs/sha256/${b.digest.slice(7)}`, b.data)
  const compression = options.compression ?? 'none'
  const layerType =
    compression === 'gzip'
      ? 'application/vnd.oci.image.layer.v1.tar+gzip'
      : compression === 'zstd'
        ? 'application/vnd.oci.image.layer.v1.tar+zstd'
        : 'application/vnd.oci.image.layer.v1.tar'
  const descriptors: unknown[] = []
  const platformManifests: unknown[] = []
  const dockerManifest: unknown[] = []
  for (const spec of specs) {
    const image = buildImage(spec)
    const layerBlobs = image.tars.map((tar) => blob(compress(tar, compression)))
    const config = blob(image.config)
    for (const b of [...layerBlobs, config]) put(b)
    const manifest = blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: config.digest,
          size: config.data.length,
        },
        layers: layerBlobs.map((b) => ({mediaType: layerType, digest: b.digest, size: b.data.length})),
      }),
    )
    put(manifest)
    const platform = {
      os: spec.os ?? 'linux',
      architecture: spec.architecture ?? 'amd64',
      ...(spec.variant ? {variant: spec.variant} : {}),
    }
    const annotations = spec.tag
      ? {
          'io.containerd.image.name': `docker.io/library/${spec.tag}`,
          'org.opencontainers.image.ref.name': spec.tag.split(':')[1] ?? 'latest',
        }
      : undefined
    const manifestDescriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifest.digest,
      size: manifest.data.length,
      platform,
    }
    if (options.platforms) {
      platformManifests.push(manifestDescriptor)
    } else if (options.nestedIndex) {
      const inner = blob(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [manifestDescriptor],
        }),
      )
      put(inner)
      descriptors.push({
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: inner.digest,
        size: inner.data.length,
        annotations,
      })
    } else {
      descriptors.push({...manifestDescriptor, ...(annotations ? {annotations} : {})})
    }
    dockerManifest.push({
      Config: `blobs/sha256/${config.digest.slice(7)}`,
      RepoTags: spec.tag ? [spec.tag] : null,
      Layers: layerBlobs.map((b) => `blobs/sha256/${b.digest.slice(7)}`),
      LayerSources: Object.fromEntries(
        layerBlobs.map((b, i) => [image.diffIds[i], {mediaType: layerType, size: b.data.length, digest: b.digest}]),
      ),
    })
  }
  if (options.platforms) {
    const index = blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: platformManifests,
      }),
    )
    put(index)
    descriptors.push({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: index.digest,
      size: index.data.length,
    })
  }
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'))
  files.set(
    'index.json',
    Buffer.from(
      JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors}),
    ),
  )
  if (options.dockerManifest) files.set('manifest.json', Buffer.from(JSON.stringify(dockerManifest)))
  return files
}

/** An OCI layout as a tar (a Docker 25+ save with `dockerManifest`, or a containerd-store save). */
export function ociArchive(specs: ImageSpec[], options: OciOptions = {}): Buffer {
  const files = ociLayoutFiles(specs, options)
  const members: Member[] = [
    {path: 'blobs/', type: 'dir'},
    {path: 'blobs/sha256/', type: 'dir'},
  ]
  for (const [path, content] of files) members.push({path, content})
  return tarOf(members)
}

/** Writes an OCI layout directory. */
export function writeOciLayout(dir: string, specs: ImageSpec[], options: OciOptions = {}): void {
  for (const [path, content] of ociLayoutFiles(specs, options)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
}

/** A scratch directory removed after the suite. */
export function scratch(prefix = 'dl-test-'): {
  dir: string
  file: (name: string, data?: Buffer | string) => string
  remove: () => void
} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {
    dir,
    file(name, data) {
      const path = join(dir, name)
      if (data !== undefined) writeFileSync(path, data)
      return path
    },
    remove: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/**
 * skopeo's `dir:` copy (and podman's `save --format docker-dir|oci-dir`): one image manifest as manifest.json,
 * each blob in a file named by its hex digest, and a `version` file.
 */
export function writeDirCopy(dir: string, spec: ImageSpec, options: {compression?: Compression; oci?: boolean} = {}) {
  const image = buildImage(spec)
  const layers = image.tars.map((tar) => blob(compress(tar, options.compression ?? 'none')))
  const config = blob(image.config)
  mkdirSync(dir, {recursive: true})
  for (const b of [...layers, config]) writeFileSync(join(dir, b.digest.slice(7)), b.data)
  const docker = !options.oci
  const manifest = {
    schemaVersion: 2,
    mediaType: docker
      ? 'application/vnd.docker.distribution.manifest.v2+json'
      : 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
      size: config.data.length,
      digest: config.digest,
    },
    layers: layers.map((b) => ({
      mediaType: docker
        ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
        : 'application/vnd.oci.image.layer.v1.tar',
      size: b.data.length,
      digest: b.digest,
    })),
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  writeFileSync(join(dir, 'version'), 'Directory Transport Version: 1.1\n')
}
