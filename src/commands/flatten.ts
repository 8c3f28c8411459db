import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {open, rename, rm} from 'node:fs/promises'
import {PassThrough} from 'node:stream'

import {Args, Flags} from '@oclif/core'

import {BaseCommand, engineOptions, sourceFlags} from '../base-command.js'
import {connect, engineError} from '../engine/client.js'
import {InputError} from '../errors.js'
import {planFlatten} from '../flatten/plan.js'
import {verifyFlattened} from '../flatten/verify.js'
import {
  FileSink,
  type FlattenOutput,
  type OutputCompression,
  type OutputFormat,
  StreamSink,
  writeFlattened,
} from '../flatten/write.js'
import {toJson} from '../report/format.js'
import {humanSize} from '../report/human-size.js'
import {openArchiveFile, type OpenedImage} from '../sources/archive.js'
import {readDaemonImage} from '../sources/daemon.js'
import type {Image} from '../sources/image.js'
import {ReadProgress} from '../sources/progress.js'
import {openSeekable} from '../sources/resolve.js'

/**
 * Which layers stay as they are: an index (layers below it), a diff_id (up to and including it), or an image whose
 * layers are a prefix.
 */
async function baseCount(image: Image, from: string, open: (source: string) => Promise<Image>): Promise<number> {
  const ids = image.config.rootfs?.diff_ids ?? image.layers.map((l) => l.diffId ?? '')
  if (/^\d+$/.test(from)) {
    const n = Number(from)
    if (n >= ids.length)
      throw new InputError(`--from ${from}: the image has ${ids.length} layers; squash from 0 to ${ids.length - 1}`)
    return n
  }
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(from)) {
    const digest = from.startsWith('sha256:') ? from : `sha256:${from}`
    const matches = ids.map((id, i) => [id, i] as const).filter(([id]) => id.startsWith(digest))
    if (matches.length === 1) return matches[0][1] + 1
    if (matches.length > 1) throw new InputError(`--from ${from}: several layers match`)
  }
  const base = await open(from)
  const baseIds = base.config.rootfs?.diff_ids ?? []
  if (baseIds.length === 0 || baseIds.length > ids.length || baseIds.some((id, i) => id !== ids[i]))
    throw new InputError(`--from ${from}: its layers are not a prefix of the image's`)
  return baseIds.length
}

export default class Flatten extends BaseCommand {
  static override summary = 'Squash an image into one layer that keeps its whole config and everything but the waste.'
  static override description = `Unlike docker export | docker import, the image keeps Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels and the rest of its config, and no runtime placeholder (/.dockerenv, an empty /etc/hostname) replaces a real file. The layer holds exactly the final filesystem: files, directories, symlinks, hardlinks, devices, modes, owners, mtimes, xattrs. -t loads the result into the engine as it is written; -o writes an archive atomically. --from squashes only the layers above a base, which stays shared.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest -t myapp:flat',
    '<%= config.bin %> <%= command.id %> app.tar -o app-flat.tar --compress zstd --verify',
    '<%= config.bin %> <%= command.id %> myapp:latest -t myapp:slim --from debian:bookworm',
  ]

  static override args = {source: Args.string({description: 'image, archive, layout or - for stdin', required: true})}
  static override flags = {
    tag: Flags.string({
      char: 't',
      description: 'load the result into the engine as REPO:TAG',
      exactlyOne: ['tag', 'output'],
    }),
    output: Flags.string({char: 'o', description: 'write the result to this archive file'}),
    'output-format': Flags.string({
      description: 'archive format for -o',
      options: ['docker-archive', 'oci-archive'],
      default: 'docker-archive',
    }),
    compress: Flags.string({
      description: 'compression of the new layer in -o archives',
      options: ['none', 'gzip', 'zstd'],
      default: 'none',
    }),
    from: Flags.string({
      description:
        'keep the layers up to a base as they are: a layer index (squash from it), a diff_id, or a base image',
    }),
    verify: Flags.boolean({
      description: "read the result back and compare its filesystem with the source's final filesystem",
    }),
    force: Flags.boolean({description: 'overwrite an existing -o file'}),
    format: Flags.string({char: 'f', description: 'report format', options: ['table', 'json'], default: 'table'}),
    ...sourceFlags,
  }

  private cleanup: Array<() => Promise<void>> = []

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Flatten)
    if (flags.output && existsSync(flags.output) && !flags.force)
      throw new InputError(`${flags.output} exists; use --force to overwrite it`)
    if (flags.tag && (flags.compress !== 'none' || flags['output-format'] !== 'docker-archive'))
      throw new InputError('-t loads an uncompressed docker-archive; --compress and --output-format go with -o')
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`docker-layers: interrupted by ${signal}; nothing was written\n`)
      void this.release().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      const opened: OpenedImage = await this.withProgress(`reading ${args.source}`, flags.quiet, (progress) =>
        openSeekable(args.source, {
          image: flags.image,
          platform: flags.platform,
          engine: engineOptions(flags),
          progress,
          hash: flags.verify,
        }),
      )
      this.cleanup.push(() => opened.close())
      const {image, store} = opened
      for (const note of image.notes) this.note(note)
      if (image.source.kind === 'docker-export')
        throw new InputError(
          `${args.source}: a docker export tarball is already one layer with no config to keep; nothing to flatten`,
        )
      const base = flags.from ? await baseCount(image, flags.from, (source) => this.openImage(source, flags)) : 0
      const plan = planFlatten(image, base)
      const output: FlattenOutput = {
        format: flags['output-format'] as OutputFormat,
        compression: flags.compress as OutputCompression,
        tag: flags.tag,
        sourceName: args.source,
        base,
      }
      const written = flags.output
        ? await this.toFile(flags.output, image, store, plan, output, flags.verify)
        : await this.toEngine(flags.tag as string, image, store, plan, output, flags)
      const before = image.contents.reduce((sum, layer) => sum + layer.bytes, 0)
      const after = image.contents.slice(0, base).reduce((sum, layer) => sum + layer.bytes, 0) + plan.contentBytes
      const report = {
        schemaVersion: 1,
        source: image.source,
        output: flags.output
          ? {file: flags.output, format: output.format, compression: output.compression}
          : {tag: flags.tag},
        id: written.configDigest,
        before: {layers: image.contents.length, bytes: before},
        after: {layers: base + 1, bytes: after},
        savedBytes: before - after,
        verified: flags.verify ? written.verifiedPaths : null,
      }
      if (flags.format === 'json') await this.emit(toJson(report))
      else {
        await this.emit(
          `Flattened ${args.source}: ${report.before.layers} layers, ${humanSize(before)} -> ${report.after.layers} layer${report.after.layers === 1 ? '' : 's'}, ${humanSize(after)} (saved ${humanSize(report.savedBytes)})\n` +
            `${flags.output ? `Wrote ${flags.output} (${output.format}, ${output.compression})` : `Loaded ${flags.tag}`}: ${written.configDigest}\n` +
            (flags.verify ? `Verified: ${written.verifiedPaths} paths equal the source's final filesystem\n` : ''),
        )
      }
    } finally {
      process.removeListener('SIGINT', stop)
      process.removeListener('SIGTERM', stop)
      await this.release()
    }
  }

  private async release(): Promise<void> {
    for (const step of this.cleanup.splice(0).reverse()) await step().catch(() => {})
  }

  /** Writes to a temporary file beside FILE, then renames it: never a partial FILE. */
  private async toFile(
    file: string,
    image: Image,
    store: OpenedImage['store'],
    plan: ReturnType<typeof planFlatten>,
    output: FlattenOutput,
    verify: boolean,
  ) {
    const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    const handle = await open(temp, 'wx').catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`cannot write ${file}: ${error.code ?? error.message}`)
    })
    this.cleanup.push(() => rm(temp, {force: true}))
    let written
    try {
      const sink = new FileSink(handle)
      written = await writeFlattened(sink, image, store, plan, output)
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
      const reread = await openArchiveFile(temp, {}, {progress: new ReadProgress(), hash: true}).catch(
        (error: Error) => {
          throw new InputError(`--verify: the written archive does not read back: ${error.message}`)
        },
      )
      await reread.close()
      verifiedPaths = verifyFlattened(image, reread.image)
    }
    await rename(temp, file)
    return {...written, verifiedPaths}
  }

  /** Streams the archive into the engine's load API as it is written: no temporary copy. */
  private async toEngine(
    tag: string,
    image: Image,
    store: OpenedImage['store'],
    plan: ReturnType<typeof planFlatten>,
    output: FlattenOutput,
    flags: {context?: string; host?: string; verify: boolean},
  ) {
    const engine = await connect(engineOptions(flags))
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
      written = await writeFlattened(new StreamSink(stream), image, store, plan, output)
      stream.end()
    } catch (error) {
      stream.destroy(error as Error)
      await loading.catch(() => {})
      throw error
    }
    await loading
    let verifiedPaths = 0
    if (flags.verify) {
      verifiedPaths = verifyFlattened(
        image,
        await readDaemonImage(tag, engineOptions(flags), {progress: new ReadProgress(), hash: true}),
      )
    }
    return {...written, verifiedPaths}
  }
}
