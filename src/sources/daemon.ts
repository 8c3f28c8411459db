import {type EngineOptions} from '../engine/context.js'
import {connect, type Engine, engineError} from '../engine/client.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import {readArchiveStream} from './archive.js'
import {openContainerdImage} from './containerd-store.js'
import {findLayerStore, openStoreImage} from './engine-store.js'
import type {LayerReadOptions} from './read-layer.js'
import {readSpooled} from './spool.js'

/** How an engine image is read: the engine's own layer store, `docker save`, or the store when it can be. */
export type EngineVia = 'auto' | 'store' | 'save'

/**
 * An image in the engine. With `via` auto or store, read from the engine's own layer store when it is local and
 * readable (no `docker save`, see engine-store.ts), or from containerd's content store when the engine keeps images
 * there and it holds every blob of the image (`platform` picks one of a multi-platform image's, see
 * containerd-store.ts); otherwise inspect for identity, then the save stream (the engine's own platform only, which
 * must be `platform` when one is asked for), parsed as it arrives and never written to disk unless the command needs
 * random access (then spooled). Never pulls.
 */
export async function openDaemonImage(
  ref: string,
  options: EngineOptions,
  reading: LayerReadOptions,
  {randomAccess, via, platform}: {randomAccess: boolean; via: EngineVia; platform?: string},
): Promise<Image> {
  const engine = await connect(options)
  const handle = engine.docker.getImage(ref)
  let inspect: ImageInspect
  try {
    inspect = await handle.inspect()
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) throw new InputError(`image not found: ${ref}`)
    throw engineError(engine, error)
  }
  const identity = {id: inspect.Id, repoTags: inspect.RepoTags ?? []}
  // The engine's image size approximates the layers' tar bytes (headers and padding aside).
  reading.progress.expect(inspect.Size, inspect.RootFS?.Layers?.length)
  const notes: string[] = []
  if (via !== 'save') {
    const store = await findLayerStore(engine).catch((error: unknown) => {
      throw engineError(engine, error)
    })
    const image =
      'root' in store
        ? store.containerd
          ? await openContainerdImage(store.root, ref, identity, reading, platform)
          : await openStoreImage(store, ref, identity, reading)
        : store
    if (!('reason' in image)) return image
    if (via === 'store') throw new InputError(`--via store: ${image.reason}`)
    if (image.permission) notes.push(`${image.reason}: reading through docker save, which is slower (run as root)`)
  }
  let stream: AsyncIterable<Buffer>
  try {
    stream = (await handle.get()) as AsyncIterable<Buffer>
  } catch (error) {
    throw engineError(engine, error)
  }
  const read = randomAccess ? readSpooled : readArchiveStream
  const image = await read(brokenOff(stream, engine, ref), `docker-daemon:${ref}`, {id: inspect.Id, platform}, reading)
  return {
    ...image,
    source: {kind: 'daemon', name: ref, format: image.source.format},
    ...identity,
    notes: [...image.notes, ...notes],
  }
}

/** The save stream, with a connection that breaks mid-stream (the engine stopped) said as such. */
async function* brokenOff(stream: AsyncIterable<Buffer>, engine: Engine, ref: string): AsyncGenerator<Buffer> {
  try {
    yield* stream
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw new InputError(
      `the Docker engine at ${engine.endpoint.host} broke off the save stream of ${ref} (${e.code ?? e.message})`,
    )
  }
}

interface ImageInspect {
  Id: string
  RepoTags?: string[]
  Size?: number
  RootFS?: {Layers?: string[]}
}
