import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {installHook} from '../../pre-push/hook.js'

export default class HookInstall extends BaseCommand {
  static override summary = 'Install a git pre-push hook that refuses the push while `docker-layers check` fails.'
  static override description =
    'The hook checks the images given here, or else the images: of .docker-layers.yml, with its rules; with ' +
    'neither, every push would fail, so it is refused unless --force. When it runs it finds docker-layers in ' +
    'node_modules/.bin, on PATH or as the docker CLI plugin (this install only as a fallback), so it keeps working ' +
    'after an upgrade or a move. It respects core.hooksPath, and an existing pre-push hook is kept and run first; ' +
    '`hook uninstall` puts it back.'
  static override flags = {
    images: Flags.string({
      description: 'images or archives the hook checks (default: images: in .docker-layers.yml)',
      multiple: true,
    }),
    force: Flags.boolean({description: 'install the hook even when there are no images for it to check'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(HookInstall)
    const {path, chained} = installHook(process.cwd(), flags.images ?? [], flags.force)
    await this.emit(`Installed ${path}${chained ? ' (the hook that was there runs first)' : ''}\n`)
  }
}
