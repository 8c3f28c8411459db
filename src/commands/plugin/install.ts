import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {installPlugin} from '../../plugin/install.js'

export default class PluginInstall extends BaseCommand {
  static override summary = 'Install docker-layers as the Docker CLI plugin `docker layers`.'
  static override description =
    'Links this executable as $DOCKER_CONFIG/cli-plugins/docker-layers (default ~/.docker/cli-plugins). Afterwards ' +
    '`docker layers --help` works and `docker info` lists the plugin.'
  static override flags = {
    config: Flags.string({description: 'docker CLI config directory (default $DOCKER_CONFIG or ~/.docker)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(PluginInstall)
    const {path, target} = await installPlugin({config: flags.config})
    await this.emit(`Installed ${path} -> ${target}\nTry: docker layers --help\n`)
  }
}
