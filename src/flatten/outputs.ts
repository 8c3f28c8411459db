import {randomBytes} from 'node:crypto'
import {open, rename, rm} from 'node:fs/promises'
import {PassThrough} from 'node:stream'

import {connect, engineError} from '../engine/client.js'
import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import type {ReadProgress} from '../image/progress.js'
import type {Cleanup} from './interrupt.js'
import type {FlattenPlan} from './plan.js'
import {verifyFlattened} from './verify.js'
import {FileSink, type FlattenOutput, StreamSink, type WrittenImage, writeFlattened} from './write.js'

/** Opens an image that flatten wrote, its contents hashed, for `--verify`; whoever gives it closes what it opens. */
export type Reopen = (reference: string) => Promise<Image>

/** What was written, and how many paths `--verify` found equal (0 without it). */
export type Written = WrittenImage & {verifiedPaths: number}

/** Writes to a temporary file beside FILE, then renames it: never a partial FILE. */
export async function writeArchiveFile(
  file: string,
  image: Image,
  plan: FlattenPlan,
  output: FlattenOutput,
  cleanup: Cleanup,
  verify?: Reopen,
  progress?: ReadProgress,
): Promise<Written> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  const handle = await open(temp, 'wx').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot write ${file}: ${error.code ?? error.message}`)
  })
  cleanup.add(() => rm(temp, {force: true}))
  let written
  try {
    const sink = new FileSink(handle)
    written = await writeFlattened(sink, image, plan, output, progress)
      .then(async (result) => {
        await sink.end()
        return result
      })
      .catch((error: NodeJS.ErrnoException) => {
        throw error.code ? new InputError(`cannot write ${file}: ${error.code}`) : error
      })
    await handle.sync()
  } finally {
    await handle.close()
  }
  let verifiedPaths = 0
  if (verify) {
    const reread = await verify(`docker-archive:${temp}`).catch((error: Error) => {
      throw new InputError(`--verify: the written archive does not read back: ${error.message}`)
    })
    verifiedPaths = verifyFlattened(image, reread)
  }
  await rename(temp, file)
  return {...written, verifiedPaths}
}

/** Streams the archive into the engine's load API as it is written: no temporary copy. */
export async function loadIntoEngine(
  tag: string,
  engineOptions: EngineOptions,
  image: Image,
  plan: FlattenPlan,
  output: FlattenOutput,
  verify?: Reopen,
  progress?: ReadProgress,
): Promise<Written> {
  const engine = await connect(engineOptions)
  const stream = new PassThrough()
  const loading = engine.docker.loadImage(stream, {quiet: true}).then(
    async (response: NodeJS.ReadableStream) => {
      let text = ''
      for await (const chunk of response as AsyncIterable<Buffer>) text += chunk.toString()
      const failure = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as {error?: string; errorDetail?: {message?: string}})
        .find((m) => m.error || m.errorDetail)
      if (failure)
        throw new InputError(`the engine refused the image: ${failure.errorDetail?.message ?? failure.error}`)
    },
    (error: unknown) => {
      throw engineError(engine, error)
    },
  )
  let written
  try {
    written = await writeFlattened(new StreamSink(stream), image, plan, output, progress)
    stream.end()
  } catch (error) {
    stream.destroy(error as Error)
    await loading.catch(() => {})
    throw error
  }
  await loading
  let verifiedPaths = 0
  if (verify) {
    verifiedPaths = verifyFlattened(image, await verify(`docker-daemon:${tag}`))
  }
  return {...written, verifiedPaths}
}
