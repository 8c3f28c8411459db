import {Flags} from '@oclif/core'

import {filesList, filesTree, parseFileFilter} from '../analysis/files.js'
import {argument, BaseCommand, noTruncFlag, sourceFlags, tableOptions} from '../base-command.js'
import {InputError} from '../errors.js'
import {writeFilesList} from '../report/files-list.js'
import {filesTreeView} from '../report/files-tree.js'
import {formatFlag} from '../report/format.js'
import {render} from '../report/render.js'
import {StreamWriter} from '../report/stream-writer.js'

export default class Files extends BaseCommand {
  static override summary =
    'List what each layer adds (A), modifies (M) and deletes (D), with size, type, mode and owner.'
  static override description =
    'Like `docker container diff`, per layer. With --tree, sizes summed by directory, per layer or (--final) for the final filesystem.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest --layer 3',
    "<%= config.bin %> <%= command.id %> app.tar --changes D --path '/var/**'",
    '<%= config.bin %> <%= command.id %> app.tar --sort size --min-size 1MB',
    '<%= config.bin %> <%= command.id %> app.tar --tree --final --depth 2',
  ]

  static override args = {source: argument({description: 'image, archive, layout or - for stdin', required: true})}
  static override flags = {
    format: formatFlag,
    layer: Flags.string({description: 'only this layer: an index or a diff_id (prefix)'}),
    changes: Flags.string({description: 'only these kinds of change, e.g. A,M or D'}),
    path: Flags.string({description: 'only paths matching this glob (e.g. /etc/** or **/*.so)'}),
    sort: Flags.string({
      description: 'order within each layer (default: as the layer makes them)',
      options: ['size', 'path'],
    }),
    'min-size': Flags.string({description: 'only entries of at least this size (e.g. 1MB)'}),
    tree: Flags.boolean({description: 'sizes by directory instead of a list of changes'}),
    depth: Flags.integer({description: 'with --tree: directory levels to show', default: 3, min: 0}),
    final: Flags.boolean({description: 'with --tree: the final filesystem instead of each layer'}),
    'no-trunc': noTruncFlag,
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Files)
    const filter = parseFileFilter({...flags, minSize: flags['min-size']})
    if (flags.final && !flags.tree) throw new InputError('--final goes with --tree')
    const image = await this.openImage(args.source, flags)
    const table = tableOptions(flags)
    if (!flags.tree) return writeFilesList(new StreamWriter(), flags.format, filesList(image, filter), table)
    const report = filesTree(image, filter, {final: flags.final, depth: flags.depth})
    await this.emit(render(flags.format, filesTreeView(report, table)))
  }
}
