import {createHash} from 'node:crypto'
import {constants, createReadStream} from 'node:fs'
import {access, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {Engine} from '../engine/client.js'
import {InputError} from '../errors.js'
import type {Image, ImageConfig, Layer} from '../image/image.js'
import {type LayerReadOptions, readLayer} from './read-layer.js'
import {TarSplitReader} from './tar-split.js'

/** Where each graph driver keeps a layer's files, by the layer's cache-id. */
const LAYER_DIRS: Record<string, (root: string, cacheId: string) => string> = {
  overlay2: (root, id) => join(root, 'overlay2', id, 'diff'),
  'fuse-overlayfs': (root, id) => join(root, 'fuse-overlayfs', id, 'diff'),
  vfs: (root, id) => join(root, 'vfs', 'dir', id),
}

/**
 * The engine's own image store, readable from here: its data root and graph driver, or (`containerd`) its data
 * root when it keeps images in containerd's image store (read by containerd-store.ts).
 */
export interface LayerStore {
  root: string
  driver: string
  containerd?: true
}

/** Why the store cannot serve images; `permission` when only file permissions stood in the way. */
export interface NoLayerStore {
  reason: string
  permission?: boolean
}

interface EngineInfo {
  DockerRootDir?: string
  Driver?: string
  DriverStatus?: Array<[string, string]>
}

/**
 * The engine's layer store, when this process can read it: a local engine (a unix socket), a graph driver whose
 * layer directories are plain directories, and a data root this user may read; or containerd's image store of a
 * local engine (whose content store is found by the image).
 */
export async function findLayerStore(engine: Engine): Promise<LayerStore | NoLayerStore> {
  if (!engine.endpoint.host.startsWith('unix:'))
    return {reason: `the engine at ${engine.endpoint.host} is not local, so its layer store is not at hand`}
  const info = (await engine.docker.info()) as EngineInfo
  const root = info.DockerRootDir
  const driver = info.Driver ?? ''
  if (!root) return {reason: 'the engine does not say where its data root is'}
  if (info.DriverStatus?.some(([key, value]) => key === 'driver-type' && value.includes('snapshotter')))
    return {root, driver, containerd: true}
  if (!LAYER_DIRS[driver]) return {reason: `the engine's storage driver ${driver} is not read directly`}
  try {
    await access(join(root, 'image', driver, 'layerdb'), constants.R_OK | constants.X_OK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'EACCES' || code === 'EPERM'
      ? {reason: `no permission to read the engine's data root ${root}`, permission: true}
      : {reason: `the engine's data root ${root} is not on this machine (${code})`}
  }
  return {root, driver}
}

const hex = (digest: string) => digest.replace(/^sha256:/, '')

/** The chain IDs of layers with these diff_ids: the first is its diff_id, each next sha256(chain + " " + diff_id). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = []
  for (const diffId of diffIds) {
    const previous = out.at(-1)
    out.push(previous ? `sha256:${createHash('sha256').update(`${previous} ${diffId}`).digest('hex')}` : diffId)
  }
  return out
}

/**
 * An engine image read from the engine's own layer store, never through `docker save`: the config from the image
 * database, each layer's tar rebuilt from its tar-split record (headers only, unless bytes are read) over the
 * driver's layer directory. Strictly read-only.
 */
export async function openStoreImage(
  store: LayerStore,
  ref: string,
  identity: {id: string; repoTags: string[]},
  reading: LayerReadOptions,
): Promise<Image> {
  const base = join(store.root, 'image', store.driver)
  const where = `docker-daemon:${ref}`
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path)
    } catch (error) {
      throw new InputError(
        `${where}: ${what} is missing from the engine's store (${(error as NodeJS.ErrnoException).code})`,
      )
    }
  }
  const configBytes = await read(join(base, 'imagedb', 'content', 'sha256', hex(identity.id)), 'the image config')
  if (`sha256:${createHash('sha256').update(configBytes).digest('hex')}` !== identity.id)
    throw new InputError(`${where}: the image config in the engine's store does not match its ID`)
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig
  const diffIds = config.rootfs?.diff_ids ?? []
  const layers: Layer[] = []
  for (const [index, chainId] of chainIds(diffIds).entries()) {
    const diffId = diffIds[index]
    const layerWhere = `${where}: layer ${index} (${diffId})`
    const dir = join(base, 'layerdb', 'sha256', hex(chainId))
    if ((await read(join(dir, 'diff'), `layer ${index}`)).toString('utf8').trim() !== diffId)
      throw new InputError(`${layerWhere}: the engine's layer record names another layer`)
    const cacheId = (await read(join(dir, 'cache-id'), `layer ${index}'s cache-id`)).toString('utf8').trim()
    if (!/^[0-9a-zA-Z_-]+$/.test(cacheId)) throw new InputError(`${layerWhere}: unexpected cache-id ${cacheId}`)
    const layerDir = LAYER_DIRS[store.driver](store.root, cacheId)
    const tarSplit = join(dir, 'tar-split.json.gz')
    const open = () => new TarSplitReader(createReadStream(tarSplit), layerDir, layerWhere)
    const reader = open()
    reading.progress.follow(reader)
    const contents = await readLayer(reader, layerWhere, reading.hash)
    const size = reader.position
    reading.progress.layerDone(size)
    layers.push({index, diffId, contents, blob: async () => ({reader: open(), size})})
  }
  return {
    source: {kind: 'daemon', name: ref, format: 'engine-store'},
    id: identity.id,
    repoTags: identity.repoTags,
    config,
    layers,
    notes: [],
    close: async () => {},
  }
}
