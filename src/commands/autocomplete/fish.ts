import {BaseCommand} from '../../base-command.js'
import {fishCompletion} from '../../completion/fish.js'

export default class AutocompleteFish extends BaseCommand {
  static override summary = 'Print the fish completion script (oclif autocomplete covers bash, zsh and powershell).'
  static override description =
    'Commands, topics, flags and the values of flags that take a list, from this installation. Save it where fish ' +
    'loads completions: docker-layers autocomplete fish > ~/.config/fish/completions/docker-layers.fish'
  static override examples = ['<%= config.bin %> autocomplete fish > docker-layers.fish']

  async run(): Promise<void> {
    await this.parse(AutocompleteFish)
    await this.emit(fishCompletion(this.config.bin, this.config.commands))
  }
}
