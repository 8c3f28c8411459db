import {Args} from '@oclif/core'

import {containerReport, userChanges} from '../analysis/container.js'
import {finalSnapshot} from '../analysis/final-fs.js'
import {BaseCommand, engineFlags, engineOptions, quietFlag} from '../base-command.js'
import {renderContainerTable} from '../report/container-table.js'
import {toCsv} from '../report/csv.js'
import {formatFlag, toJson} from '../report/format.js'
import {isTemplate, renderTemplate} from '../report/template.js'
import {readContainer} from '../sources/container.js'

export default class Container extends BaseCommand {
  static override summary =
    "Size a container's uncommitted changes before `docker commit`: the layer it would add, the waste, the leftovers."
  static override description =
    "For a running or stopped container: its changes as `docker container diff` prints them, with bytes; the size of the layer `docker commit` would add; the bytes of the image each change shadows or deletes (stored but hidden after the commit); and which paths look like temporary artifacts (caches, /tmp, __pycache__, build directories). Paths the runtime injects (/.dockerenv, /etc/hostname, /etc/hosts, /etc/resolv.conf, /dev/console) and mount points are not the user's changes and are left out."
  static override examples = [
    '<%= config.bin %> <%= command.id %> my-container',
    '<%= config.bin %> <%= command.id %> 3f2a --format json',
  ]
  static override args = {container: Args.string({description: 'container name or ID', required: true})}
  static override flags = {format: formatFlag, quiet: quietFlag, ...engineFlags}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Container)
    const info = await readContainer(args.container, engineOptions(flags))
    const changes = userChanges(info.changes, info.mountPoints)
    const stats = await info.stat(changes.filter((c) => c.kind !== 'D').map((c) => c.path))
    const image = await this.openImage(`docker-daemon:${info.image}`, flags)
    const report = containerReport(changes, stats, finalSnapshot(image).entries)
    if (isTemplate(flags.format)) {
      await this.emit(renderTemplate(flags.format, report.changes))
    } else if (flags.format === 'json') {
      await this.emit(
        toJson({
          schemaVersion: 1,
          container: {id: info.id, name: info.name, image: info.imageRef, imageId: info.image, state: info.state},
          ...report,
        }),
      )
    } else if (flags.format === 'csv') {
      await this.emit(toCsv(report.changes, ['change', 'path', 'type', 'bytes', 'shadowedBytes', 'temporary']))
    } else {
      await this.emit(
        renderContainerTable(
          report,
          `Container ${info.name} (${info.id.slice(0, 12)}, ${info.state}) from ${info.imageRef}`,
        ),
      )
    }
  }
}
