import {type EngineOptions} from '../engine/context.js'
import {connect, engineError} from '../engine/client.js'
import {InputError} from '../errors.js'
import {readArchiveStream} from './archive.js'
import type {Image} from './image.js'
import {ReadProgress} from './progress.js'
import type {LayerReadOptions} from './read-layer.js'

/**
 * An image in the engine: inspect for identity, then the save stream, parsed as it arrives and never
 * written to disk. Never pulls.
 */
export async function readDaemonImage(ref: string, options: EngineOptions, reading: LayerReadOptions = {progress: new ReadProgress()}): Promise<Image> {
  const engine = connect(options)
  const handle = engine.docker.getImage(ref)
  let inspect: {Id: string; RepoTags?: string[]; Size?: number; RootFS?: {Layers?: string[]}}
  try {
    inspect = await handle.inspect()
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) throw new InputError(`image not found: ${ref}`)
    throw engineError(engine, error)
  }
  let stream: NodeJS.ReadableStream
  try {
    stream = await handle.get()
  } catch (error) {
    throw engineError(engine, error)
  }
  // The engine's image size approximates the save stream's length (tar headers and padding aside).
  reading.progress.expect(inspect.Size, inspect.RootFS?.Layers?.length)
  const image = await readArchiveStream(stream as AsyncIterable<Buffer>, `docker-daemon:${ref}`, {id: inspect.Id}, reading)
  return {...image, source: {kind: 'daemon', name: ref, format: image.source.format}, id: inspect.Id, repoTags: inspect.RepoTags ?? []}
}
