import {existsSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {argument, BaseCommand, engineOptions, registryOptions, sourceFlags} from '../base-command.js'
import {InputError} from '../errors.js'
import {flatten} from '../flatten/flatten.js'
import {Cleanup, interruptible} from '../flatten/interrupt.js'
import {flattenTarget} from '../flatten/target.js'
import {flattenView} from '../report/flatten-text.js'
import {render} from '../report/render.js'

export default class Flatten extends BaseCommand {
  static override summary = 'Squash an image into one layer that keeps its whole config and everything but the waste.'
  static override description =
    `Unlike docker export | docker import, the image keeps Env, Cmd, Entrypoint, ` +
    `WorkingDir, User, ExposedPorts, Volumes, Labels and the rest of its config, and no runtime placeholder ` +
    `(/.dockerenv, an empty /etc/hostname) replaces a real file. The layer holds exactly the final filesystem: ` +
    `files, directories, symlinks, hardlinks, devices, modes, owners, mtimes, xattrs. -t loads the result into the ` +
    `engine as it is written or, as docker://HOST/REPO:TAG, pushes it to a registry (its manifest last, so a ` +
    `failure never moves the tag); -o writes an archive atomically, naming -t's tag when both are given. --from ` +
    `squashes only the layers above a base, which stays shared. The same source gives the same image ID and, with ` +
    `-o, a byte-identical archive: the image keeps the source's created time (or SOURCE_DATE_EPOCH when it is set).`
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest -t myapp:flat',
    '<%= config.bin %> <%= command.id %> app.tar -o app-flat.tar --compress zstd --verify',
    '<%= config.bin %> <%= command.id %> app.tar -o app-flat.tar -t app:flat --output-format oci-archive',
    '<%= config.bin %> <%= command.id %> myapp:latest -t myapp:slim --from debian:bookworm',
    '<%= config.bin %> <%= command.id %> docker://registry.example/app:1 -t docker://registry.example/app:1-flat',
  ]

  static override args = {source: argument({description: 'image, archive, layout or - for stdin', required: true})}
  static override flags = {
    tag: Flags.string({
      char: 't',
      description:
        'load the result into the engine as REPO:TAG, or push it to docker://HOST/REPO:TAG; with -o, the tag the archive names',
      atLeastOne: ['tag', 'output'],
    }),
    output: Flags.string({char: 'o', description: 'write the result to this archive file'}),
    'output-format': Flags.string({
      description: 'archive format for -o',
      options: ['docker-archive', 'oci-archive'],
      default: 'docker-archive',
    }),
    compress: Flags.string({
      description: 'compression of the new layer: in -o archives (default uncompressed) and pushes (default gzip)',
      options: ['uncompressed', 'gzip', 'zstd'],
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

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Flatten)
    if (flags.output && existsSync(flags.output) && !flags.force)
      throw new InputError(`${flags.output} exists; use --force to overwrite it`)
    const target = flattenTarget({
      ...flags,
      outputFormat: flags['output-format'],
      engine: engineOptions(flags),
      registry: registryOptions(flags),
    })
    const cleanup = new Cleanup()
    const label = `verifying ${flags.output ?? flags.tag}`
    const reopen = (written: string) => this.openImage(written, {...flags, image: undefined}, {hash: true, label})
    const report = await interruptible(async () => {
      const image = await this.openImage(args.source, flags, {hash: flags.verify, randomAccess: true})
      return flatten(
        image,
        {
          target,
          from: flags.from,
          sourceName: args.source,
          sourceDateEpoch: process.env.SOURCE_DATE_EPOCH,
          open: (source) => this.openImage(source, flags),
          verify: flags.verify ? reopen : undefined,
          phase: (label) => this.phase(label, flags.quiet),
        },
        cleanup,
      )
    }, cleanup)
    await this.emit(render(flags.format, flattenView(report, args.source)))
  }
}
