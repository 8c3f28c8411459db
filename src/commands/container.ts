import {containerReport} from '../analysis/container.js'
import {argument, BaseCommand, engineFlags, engineOptions, quietFlag} from '../base-command.js'
import {containerView} from '../report/container-table.js'
import {formatFlag} from '../report/format.js'
import {render} from '../report/render.js'
import {readContainer} from '../sources/container.js'

export default class Container extends BaseCommand {
  static override summary =
    "Size a container's uncommitted changes before `docker commit`: the layer it would add, the waste, the leftovers."
  static override description =
    'For a running or stopped container: its changes as `docker container diff` prints them, with bytes; the ' +
    'size of the layer `docker commit` would add; the bytes of the image each change shadows or deletes (stored ' +
    'but hidden after the commit); and which paths look like temporary artifacts (caches, /tmp, __pycache__, build ' +
    'directories). Paths the runtime injects (/.dockerenv, /etc/hostname, /etc/hosts, /etc/resolv.conf, /dev/console) ' +
    "and mount points are not the user's changes and are left out."
  static override examples = [
    '<%= config.bin %> <%= command.id %> my-container',
    '<%= config.bin %> <%= command.id %> $(docker ps --latest --quiet) --format json',
  ]
  static override args = {container: argument({description: 'container name or ID', required: true})}
  static override flags = {format: formatFlag, quiet: quietFlag, ...engineFlags}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Container)
    const info = await readContainer(args.container, engineOptions(flags))
    const image = await this.openImage(`docker-daemon:${info.image}`, flags)
    await this.emit(render(flags.format, containerView(await containerReport(info, image))))
  }
}
