import {InputError} from '../errors.js'
import type {Image, Layer, SourceKind} from '../image/image.js'
import type {LayerContents} from '../model/entry.js'
import {resolveImage, type ResolvedImage, type Selection} from './manifest.js'
import type {LayerReadOptions} from './read-layer.js'
import type {ImageStore} from './store.js'

function sourceKind(store: ImageStore, format: ResolvedImage['format']): SourceKind {
  if (format === 'dir') return 'dir'
  if (format === 'oci') return store.directory ? 'oci-layout' : 'oci-archive'
  return 'docker-archive'
}

/**
 * Completes an `Image` from what a store holds, as go-containerregistry's `partial` completes a `v1.Image`: the
 * image the manifest (or index) names, its layers parsed, diff_ids taken from the config once, and blob access
 * where the store has it. An archive with neither manifest nor index is a flat `docker export`: one layer.
 * The image owns the store from here: its `close` closes the store. A source that has already found the image
 * (containerd's content store, by its manifest's digest) passes it as `found`.
 */
export async function imageFromStore(
  store: ImageStore,
  selection: Selection,
  reading: LayerReadOptions,
  found?: ResolvedImage,
): Promise<Image> {
  const resolved = found ?? (await resolveImage(store, selection))
  const close = () => store.close()
  if (!resolved) {
    if (store.directory) throw new InputError(`${store.name}: no index.json: not an OCI image layout`)
    const contents = await store.layer('', store.name, reading)
    return {
      source: {kind: 'docker-export', name: store.name, format: 'export'},
      repoTags: [],
      config: {},
      layers: [{index: 0, contents}],
      notes: [],
      close,
    }
  }
  const diffIds = resolved.config.rootfs?.diff_ids
  if (diffIds && diffIds.length !== resolved.layers.length)
    throw new InputError(
      `${store.name}: the config lists ${diffIds.length} layers but the manifest ${resolved.layers.length}`,
    )
  if (store.size !== undefined) reading.progress.expect(store.size, resolved.layers.length)
  const parse = async (index: number) => {
    const location = resolved.layers[index]
    const where = `${store.name}: layer ${index} (${diffIds?.[index] ?? location})`
    if (!store.has(location)) throw new InputError(`${where} is missing from the archive`)
    return store.layer(location, where, reading)
  }
  // the next layers are parsed while this one is taken in (a registry's); each failure is reported in its turn
  const ahead = store.layersInFlight ?? 1
  const parsing: Array<Promise<LayerContents>> = []
  const start = (index: number) => {
    if (index >= resolved.layers.length) return
    const parsed = parse(index)
    parsed.catch(() => {})
    parsing.push(parsed)
  }
  for (let index = 0; index < ahead; index++) start(index)
  const layers: Layer[] = []
  for (const [index, location] of resolved.layers.entries()) {
    const contents = await parsing[index]
    start(index + ahead)
    layers.push({index, diffId: diffIds?.[index], contents, ...(store.blob ? {blob: () => store.blob!(location)} : {})})
  }
  return {
    source: {kind: sourceKind(store, resolved.format), name: store.name, format: resolved.format},
    id: resolved.id,
    repoTags: resolved.repoTags,
    config: resolved.config,
    layers,
    notes: resolved.notes,
    close,
  }
}
