import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {uninstallPlugin} from '../../plugin/install.js'

export default class PluginUninstall extends BaseCommand {
  static override summary = 'Remove the Docker CLI plugin link made by `plugin install`.'
  static override flags = {
    config: Flags.string({description: 'docker CLI config directory (default $DOCKER_CONFIG or ~/.docker)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(PluginUninstall)
    const {path, removed} = await uninstallPlugin({config: flags.config})
    await this.emit(removed ? `Removed ${path}\n` : `No plugin link at ${path}\n`)
  }
}
