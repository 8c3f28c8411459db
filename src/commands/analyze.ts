import {Args, Flags} from '@oclif/core'

import {analyzeImage} from '../analysis/analyze.js'
import {BaseCommand, engineFlags, engineOptions} from '../base-command.js'
import {renderAnalyzeTable} from '../report/analyze-table.js'
import {toCsv} from '../report/csv.js'
import {formatFlag, toJson} from '../report/format.js'
import {openSource} from '../sources/resolve.js'

export const LAYER_FIELDS = ['index', 'digest', 'createdBy', 'created', 'bytes', 'entries', 'added', 'modified', 'removed', 'removedBytes', 'wastedBytes']

export default class Analyze extends BaseCommand {
  static override summary = 'Show where the bytes of an image go, layer by layer, and what it stores but never shows.'
  static override description = `SOURCE is an image in the engine (NAME[:TAG] or ID), a docker save archive, an OCI layout directory or archive, a docker export tarball, or - for an archive on stdin. Skopeo's transport names work too: docker-daemon:REF, docker-archive:PATH[:REPO:TAG], oci:DIR[:REF], oci-archive:PATH[:REF].`

  static override examples = [
    '<%= config.bin %> <%= command.id %> busybox:latest',
    'docker save myapp:1.2 | <%= config.bin %> <%= command.id %> - --format json',
    '<%= config.bin %> <%= command.id %> oci:./layout:latest --platform linux/arm64',
  ]

  static override args = {
    source: Args.string({description: 'image, archive, layout or - for stdin', required: true}),
  }

  static override flags = {
    format: formatFlag,
    top: Flags.integer({description: 'how many of the largest wasted paths to list', default: 10, min: 0}),
    image: Flags.string({description: 'REPO:TAG to read from an archive holding several images'}),
    platform: Flags.string({description: 'os/arch[/variant] to read from a multi-platform index'}),
    'no-trunc': Flags.boolean({description: "don't truncate the CREATED BY column"}),
    ...engineFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Analyze)
    const image = await openSource(args.source, {image: flags.image, platform: flags.platform, engine: engineOptions(flags)})
    for (const note of image.notes) this.note(note)
    const report = analyzeImage(image, flags.top)
    if (flags.format === 'json') await this.emit(toJson(report))
    else if (flags.format === 'csv') await this.emit(toCsv(report.layers, LAYER_FIELDS))
    else await this.emit(renderAnalyzeTable(report, {noTrunc: flags['no-trunc']}))
  }
}
