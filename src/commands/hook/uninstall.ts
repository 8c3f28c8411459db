import {BaseCommand} from '../../base-command.js'
import {uninstallHook} from '../../pre-push/hook.js'

export default class HookUninstall extends BaseCommand {
  static override summary = 'Remove the pre-push hook written by `hook install`, restoring the one it chained.'

  async run(): Promise<void> {
    await this.parse(HookUninstall)
    const {path, restored, removed} = uninstallHook(process.cwd())
    await this.emit(
      removed
        ? `Removed ${path}${restored ? ' and restored the previous hook' : ''}\n`
        : `No pre-push hook at ${path}\n`,
    )
  }
}
