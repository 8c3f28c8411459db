import {Flags, type Interfaces} from '@oclif/core'

import {type AnalyzeReport, analyzeImage, metadataReport} from '../analysis/analyze.js'
import {layerChanges} from '../analysis/files.js'
import {finalSnapshot} from '../analysis/final-fs.js'
import {findWaste} from '../analysis/waste.js'
import {argument, BaseCommand, noTruncFlag, sourceFlags, tableOptions} from '../base-command.js'
import {effectiveConfig} from '../check/config.js'
import {checkImage} from '../check/run-check.js'
import {analyzeView} from '../report/analyze-view.js'
import type {PageInput} from '../report/html/page-data.js'
import {formatFlagWith} from '../report/format.js'
import {render} from '../report/render.js'
import {InputError} from '../errors.js'
import {readMetadata} from '../sources/metadata.js'

export default class Analyze extends BaseCommand {
  static override summary = 'Show where the bytes of an image go, layer by layer, and what it stores but never shows.'
  static override description =
    `SOURCE is an image in the engine (NAME[:TAG] or ID), a docker save archive, ` +
    `an OCI layout directory or archive, a docker export tarball, or - for an archive on stdin. Skopeo's transport ` +
    `names work too: docker-daemon:REF, docker-archive:PATH[:REPO:TAG], oci:DIR[:REF], oci-archive:PATH[:REF].`

  static override usage = [
    '<%= command.id %> SOURCE [flags]',
    '<%= command.id %> --inspect FILE [--history FILE] [flags]',
    '<%= command.id %> --history FILE [flags]',
  ]

  static override examples = [
    '<%= config.bin %> <%= command.id %> busybox:latest',
    '$ docker save myapp:1.2 | <%= config.bin %> <%= command.id %> - --format json',
    '<%= config.bin %> <%= command.id %> oci:./layout:latest --platform linux/arm64',
  ]

  static override args = {
    source: argument({description: 'image, archive, layout or - for stdin (optional with --inspect/--history)'}),
  }

  static override flags = {
    format: formatFlagWith(['markdown', 'html']),
    top: Flags.integer({description: 'how many of the largest wasted paths to list (0: all)', default: 10, min: 0}),
    'no-trunc': noTruncFlag,
    duplicates: Flags.boolean({
      description: 'hash contents (sha256): identical content stored more than once, in the report and its advice',
    }),
    inspect: Flags.string({
      description: 'metadata only: JSON of `docker image inspect` (layer digests, image size)',
      exclusive: ['image', 'platform', 'duplicates'],
    }),
    history: Flags.string({
      description: "metadata only: JSON of the history API or `docker history --no-trunc --format '{{json .}}'` lines",
      exclusive: ['image', 'platform', 'duplicates'],
    }),
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Analyze)
    const {report, page} = await this.report(args.source, flags)
    await this.emit(render(flags.format, analyzeView(report, {...tableOptions(flags), page})))
  }

  /** The report, and what the HTML page shows beyond it when the layers are at hand. */
  private async report(
    source: string | undefined,
    flags: Interfaces.InferredFlags<typeof Analyze.flags>,
  ): Promise<{report: AnalyzeReport; page?: () => PageInput}> {
    if (flags.inspect || flags.history) {
      if (source) throw new InputError('give SOURCE or --inspect/--history, not both')
      return {report: metadataReport(await readMetadata(flags.inspect, flags.history))}
    }
    if (!source)
      throw new InputError('missing SOURCE: an image, an archive, a layout, - for stdin, or --inspect/--history files')
    const image = await this.openImage(source, flags, {hash: flags.duplicates})
    const report = analyzeImage(image, flags.top === 0 ? Infinity : flags.top, {duplicates: flags.duplicates})
    const page = () => {
      // check's verdicts when a configuration is in force here
      const {config, settings} = effectiveConfig({cwd: process.cwd(), flags: {}})
      return {
        report,
        waste: findWaste(image),
        changes: [...layerChanges(image)],
        finalFiles: finalSnapshot(image).files,
        check: config.path ? {config: config.path, result: checkImage(source, image, settings)} : null,
      }
    }
    return {report, page}
  }
}
