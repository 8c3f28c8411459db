import {randomBytes} from 'node:crypto'
import {open, rename, rm} from 'node:fs/promises'

import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import type {ReadProgress} from '../image/progress.js'
import type {Cleanup} from './interrupt.js'
import type {FlattenPlan} from './plan.js'
import {verifyFlattened} from './verify.js'
import {FileSink, type FlattenOutput, type WrittenImage, writeFlattened} from './write.js'

/** Opens an image that flatten wrote, its contents hashed, for `--verify`; whoever gives it closes what it opens. */
export type Reopen = (reference: string) => Promise<Image>

/** What was written, and how many paths `--verify` found equal (0 without it). */
export type Written = WrittenImage & {verifiedPaths: number}

/** What each output (a file, the engine, a registry) is given: the image, its plan, how to write it, what to undo. */
export interface OutputJob {
  image: Image
  plan: FlattenPlan
  output: FlattenOutput
  /** Steps that undo what was left half-done; they run whatever happens. */
  cleanup: Cleanup
  /** Re-reads the written image for `--verify`. */
  verify?: Reopen
  progress?: ReadProgress
}

/** Writes to a temporary file beside FILE, then renames it: never a partial FILE. */
export async function writeArchiveFile(
  file: string,
  {image, plan, output, cleanup, verify, progress}: OutputJob,
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
