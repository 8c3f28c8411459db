import {createHash} from 'node:crypto'
import {PassThrough} from 'node:stream'

import {connect, type Engine, engineError} from '../engine/client.js'
import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import {END_OF_ARCHIVE} from '../tar/encode.js'
import type {OutputJob, Written} from './outputs.js'
import {verifyFlattened} from './verify.js'
import {squashedTar, StreamSink, tap, writeFlattened, writeImageFiles} from './write.js'

/** One line of the engine's JSON progress stream (load and import answer with one). */
interface EngineMessage {
  status?: string
  error?: string
  errorDetail?: {message?: string}
}

/** Reads the engine's answer to a load or an import, failing on the error it reports in the stream. */
async function engineAnswer(response: NodeJS.ReadableStream): Promise<EngineMessage[]> {
  let text = ''
  for await (const chunk of response as AsyncIterable<Buffer>) text += chunk.toString()
  const messages = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EngineMessage)
  const failure = messages.find((m) => m.error || m.errorDetail)
  if (failure) throw new InputError(`the engine refused the image: ${failure.errorDetail?.message ?? failure.error}`)
  return messages
}

/** Sends what `write` writes to the engine as the body of `request`: streamed, no temporary copy. */
async function streamTo<T>(
  engine: Engine,
  request: (body: PassThrough) => Promise<NodeJS.ReadableStream>,
  write: (sink: StreamSink) => Promise<T>,
): Promise<{result: T; messages: EngineMessage[]}> {
  const body = new PassThrough()
  const answered = request(body).then(engineAnswer, (error: unknown) => {
    throw engineError(engine, error)
  })
  let result: T
  try {
    result = await write(new StreamSink(body))
    body.end()
  } catch (error) {
    body.destroy(error as Error)
    await answered.catch(() => {})
    throw error
  }
  return {result, messages: await answered}
}

interface EngineDescription {
  Components?: Array<{Name?: string}>
}
interface EngineInfo {
  DriverStatus?: Array<[string, string]> | null
}

/**
 * Whether the engine is Docker's with a graph driver, whose `docker load` takes a layer it already holds (by chain
 * ID) without reading it from the archive. Podman's API and Docker's containerd image store load differently.
 */
async function loadsKnownLayers(engine: Engine): Promise<boolean> {
  const [version, info] = (await Promise.all([engine.docker.version(), engine.docker.info()])) as [
    EngineDescription,
    EngineInfo,
  ]
  const docker = version.Components?.some((component) => component.Name === 'Engine') ?? false
  const snapshotter = info.DriverStatus?.some(([key, value]) => key === 'driver-type' && value.includes('snapshotter'))
  return docker && !snapshotter
}

/**
 * The squashed layer applied by the engine's import, which applies the stream as it arrives (`docker load` first
 * copies the whole archive to a temporary directory), then the image's config loaded over it: an archive of the
 * config and `manifest.json` alone, whose layer the engine already holds. `cleanup` removes the imported image.
 */
async function importThenLoad(engine: Engine, {image, plan, output, cleanup, progress}: OutputJob): Promise<Written> {
  progress?.expect(plan.tarSize, 1)
  const diffHash = createHash('sha256')
  const imported = await streamTo(
    engine,
    (body) => engine.docker.importImage(body),
    async (sink) => {
      for await (const chunk of tap(squashedTar(plan, image), diffHash, {bytes: 0}, progress)) await sink.write(chunk)
    },
  )
  progress?.layerDone()
  const id = imported.messages
    .map((m) => m.status ?? '')
    .reverse()
    .find((status) => /^sha256:[0-9a-f]{64}$/.test(status))
  if (!id) throw new Error(`the engine's import answered no image ID`)
  // the cleanup runs whatever happens: the imported image goes once the load has the layer, or if it fails
  cleanup.add(() => engine.docker.getImage(id).remove())
  const diffId = `sha256:${diffHash.digest('hex')}`
  const layers = ((await engine.docker.getImage(id).inspect()) as {RootFS?: {Layers?: string[]}}).RootFS?.Layers
  if (layers?.length !== 1 || layers[0] !== diffId)
    throw new Error(`the engine's import of the squashed layer gave layers ${String(layers)}, not ${diffId}`)
  const {result: configDigest} = await streamTo(
    engine,
    (body) => engine.docker.loadImage(body, {quiet: true}),
    async (sink) => {
      const digest = await writeImageFiles(sink, image, output, [diffId], ['layer.tar'], [])
      await sink.write(END_OF_ARCHIVE)
      return digest
    },
  )
  return {configDigest, diffIds: [diffId], layerBytes: plan.contentBytes, verifiedPaths: 0}
}

/**
 * Puts the flattened image into the engine under `tag`. With nothing kept below the squashed layer, on Docker's
 * engine with a graph driver, the layer goes in through import (applied as it streams), then its config through a
 * load that holds no layer; otherwise the whole archive streams into the load API. `imageId` is the ID the engine
 * gives the tag, as `docker images` shows it: the config digest, but on containerd's image store the manifest's.
 */
export async function loadIntoEngine(
  tag: string,
  engineOptions: EngineOptions,
  job: OutputJob,
): Promise<Written & {imageId: string}> {
  const {image, plan, output, verify, progress} = job
  const engine = await connect(engineOptions)
  const viaImport =
    output.base === 0 &&
    (await loadsKnownLayers(engine).catch((error: unknown) => {
      throw engineError(engine, error)
    }))
  const written = viaImport
    ? await importThenLoad(engine, job)
    : {
        ...(
          await streamTo(
            engine,
            (body) => engine.docker.loadImage(body, {quiet: true}),
            (sink) => writeFlattened(sink, image, plan, output, progress),
          )
        ).result,
        verifiedPaths: 0,
      }
  const {Id: imageId} = (await engine.docker
    .getImage(tag)
    .inspect()
    .catch((error: unknown) => {
      throw engineError(engine, error)
    })) as {Id: string}
  if (verify) written.verifiedPaths = verifyFlattened(image, await verify(`docker-daemon:${tag}`))
  return {...written, imageId}
}
