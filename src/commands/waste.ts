import {Flags} from '@oclif/core'

import {findWaste} from '../analysis/waste.js'
import {argument, BaseCommand, noTruncFlag, sourceFlags, tableOptions} from '../base-command.js'
import {formatFlag} from '../report/format.js'
import {render} from '../report/render.js'
import {wasteView} from '../report/waste-table.js'

export default class Waste extends BaseCommand {
  static override summary = 'List every path whose bytes an image stores but never shows, and what hid them.'
  static override description =
    'Deleted, overwritten, hidden by an opaque directory, replaced by a non-directory, or copied by a metadata-only ' +
    "change (chmod/chown). The bytes add up to analyze's wastedBytes. --duplicates hashes every file and lists " +
    'identical content stored under several paths or layers.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest',
    '<%= config.bin %> <%= command.id %> app.tar --duplicates --format json',
  ]
  static override args = {source: argument({description: 'image, archive, layout or - for stdin', required: true})}
  static override flags = {
    format: formatFlag,
    duplicates: Flags.boolean({description: 'hash contents (sha256) and list identical content stored more than once'}),
    'no-trunc': noTruncFlag,
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Waste)
    const image = await this.openImage(args.source, flags, {hash: flags.duplicates})
    const report = findWaste(image, {duplicates: flags.duplicates})
    await this.emit(render(flags.format, wasteView(report, tableOptions(flags))))
  }
}
