import {Args, Flags} from '@oclif/core'

import {diffImages} from '../analysis/diff.js'
import {BaseCommand, sourceFlags} from '../base-command.js'
import {toCsv} from '../report/csv.js'
import {renderDiffTable} from '../report/diff-table.js'
import {formatFlag, toJson} from '../report/format.js'
import {isTemplate, renderTemplate} from '../report/template.js'

export default class Diff extends BaseCommand {
  static override summary = 'What changed between two images: shared layers, files, directory sizes and config.'
  static override description =
    'Compares the final filesystems (a file added and deleted again inside one image is no difference): paths added, removed and changed in size, mode, owner, link target and, with --content, content digest; directory size deltas; and the runtime config (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels, Healthcheck, …). mtimes are not compared.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:1.0 myapp:1.1',
    '<%= config.bin %> <%= command.id %> old.tar new.tar --content --format json',
  ]
  static override args = {
    a: Args.string({description: 'the image before', required: true}),
    b: Args.string({description: 'the image after', required: true}),
  }

  static override flags = {
    format: formatFlag,
    content: Flags.boolean({description: 'also compare file contents (sha256 of every file)'}),
    depth: Flags.integer({description: 'directory levels for the size deltas', default: 3, min: 0}),
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Diff)
    const a = await this.openImage(args.a, flags, {hash: flags.content})
    const b = await this.openImage(args.b, flags, {hash: flags.content})
    const report = diffImages(a, b, {content: flags.content, depth: flags.depth})
    const rows = report.files.map((f) => ({
      change: f.change,
      path: f.path,
      fields: f.fields.join(','),
      sizeA: f.before?.size ?? '',
      sizeB: f.after?.size ?? '',
      modeA: f.before?.mode ?? '',
      modeB: f.after?.mode ?? '',
    }))
    if (isTemplate(flags.format)) {
      await this.emit(renderTemplate(flags.format, rows))
    } else if (flags.format === 'json') {
      await this.emit(toJson(report))
    } else if (flags.format === 'csv') {
      await this.emit(toCsv(rows, ['change', 'path', 'fields', 'sizeA', 'sizeB', 'modeA', 'modeB']))
    } else {
      await this.emit(renderDiffTable(report, [args.a, args.b]))
    }
  }
}
