import {type EngineOptions} from '../engine/context.js'
import {connect, engineError} from '../engine/client.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import {readArchiveStream} from './archive.js'
import type {LayerReadOptions} from './read-layer.js'
import {readSpooled} from './spool.js'

/**
 * An image in the engine: inspect for identity, then the save stream, parsed as it arrives and never written to
 * disk unless the command needs random access (then spooled). Never pulls.
 */
export async function openDaemonImage(
  ref: string,
  options: EngineOptions,
  reading: LayerReadOptions,
  randomAccess: boolean,
): Promise<Image> {
  const {stream, id, inspect} = await saveStream(ref, options)
  // The engine's image size approximates the save stream's length (tar headers and padding aside).
  reading.progress.expect(inspect.Size, inspect.RootFS?.Layers?.length)
  const read = randomAccess ? readSpooled : readArchiveStream
  const image = await read(stream, `docker-daemon:${ref}`, {id}, reading)
  return {
    ...image,
    source: {kind: 'daemon', name: ref, format: image.source.format},
    id,
    repoTags: inspect.RepoTags ?? [],
  }
}

interface ImageInspect {
  Id: string
  RepoTags?: string[]
  Size?: number
  RootFS?: {Layers?: string[]}
}

/** The engine's `docker save` stream of an image, with its inspect answer. A missing image is an error. */
async function saveStream(
  ref: string,
  options: EngineOptions,
): Promise<{stream: AsyncIterable<Buffer> & NodeJS.ReadableStream; id: string; inspect: ImageInspect}> {
  const engine = await connect(options)
  const handle = engine.docker.getImage(ref)
  let inspect: ImageInspect
  try {
    inspect = await handle.inspect()
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) throw new InputError(`image not found: ${ref}`)
    throw engineError(engine, error)
  }
  try {
    return {stream: (await handle.get()) as AsyncIterable<Buffer> & NodeJS.ReadableStream, id: inspect.Id, inspect}
  } catch (error) {
    throw engineError(engine, error)
  }
}
