import {Flags} from '@oclif/core'

import {diffImages} from '../analysis/diff.js'
import {argument, BaseCommand, noTruncFlag, sourceFlags, tableOptions} from '../base-command.js'
import {diffView} from '../report/diff-table.js'
import {formatFlag} from '../report/format.js'
import {render} from '../report/render.js'

export default class Diff extends BaseCommand {
  static override summary = 'What changed between two images: shared layers, files, directory sizes and config.'
  static override description =
    'Compares the final filesystems (a file added and deleted again inside one image is no difference): paths ' +
    'added, removed and changed in size, mode, owner, link target and, with --content, content digest; directory ' +
    'size deltas; and the runtime config (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels, ' +
    'Healthcheck, …). mtimes are not compared.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:1.0 myapp:1.1',
    '<%= config.bin %> <%= command.id %> old.tar new.tar --content --format json',
  ]
  static override args = {
    a: argument({description: 'the image before', required: true}),
    b: argument({description: 'the image after', required: true}),
  }

  static override flags = {
    format: formatFlag,
    content: Flags.boolean({description: 'also compare file contents (sha256 of every file)'}),
    depth: Flags.integer({description: 'directory levels for the size deltas', default: 3, min: 0}),
    'no-trunc': noTruncFlag,
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Diff)
    const a = await this.openImage(args.a, flags, {hash: flags.content})
    const b = await this.openImage(args.b, flags, {hash: flags.content})
    const report = diffImages(a, b, {content: flags.content, depth: flags.depth})
    await this.emit(render(flags.format, diffView(report, [args.a, args.b], tableOptions(flags))))
  }
}
