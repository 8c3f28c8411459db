/** What a completion needs of a command: oclif's command list gives it (ids with ':' between topic and name). */
export interface CompletedCommand {
  id: string
  summary?: string
  hidden?: boolean
  flags: Record<
    string,
    {name: string; char?: string; summary?: string; description?: string; type: string; options?: readonly string[]}
  >
}

/** Fish quotes: single quotes, with \ and ' escaped. */
function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/** A description on one line, as fish shows it beside a candidate. */
function said(text: string | undefined): string {
  return text ? ` -d ${quote(text.split('\n')[0].replace(/\s+/g, ' ').trim())}` : ''
}

/**
 * A fish completion script for `bin`: command names (a topic's commands after the topic), then each command's
 * flags, with the values an option takes; files where a command takes a path (its argument, a flag's value).
 * fish loads it from ~/.config/fish/completions/BIN.fish.
 */
export function fishCompletion(bin: string, commands: CompletedCommand[]): string {
  const shown = commands.filter((command) => !command.hidden).sort((a, b) => (a.id < b.id ? -1 : 1))
  const words = shown.map((command) => command.id.split(':'))
  const topics = [...new Set(words.filter((parts) => parts.length > 1).map((parts) => parts[0]))]
  const top = [...new Set(words.map((parts) => parts[0]))]
  const lines = [
    `# ${bin} completion for fish: ${bin} autocomplete fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -n __fish_use_subcommand -f`,
  ]
  for (const name of top) {
    const command = shown.find((c) => c.id === name)
    const summary = command?.summary ?? (topics.includes(name) ? `${name} commands` : undefined)
    lines.push(`complete -c ${bin} -n __fish_use_subcommand -a ${name}${said(summary)}`)
  }
  for (const topic of topics) {
    const names = shown.filter((c) => c.id.startsWith(`${topic}:`)).map((c) => c.id.slice(topic.length + 1))
    const inTopic = `__fish_seen_subcommand_from ${topic}; and not __fish_seen_subcommand_from ${names.join(' ')}`
    lines.push(`complete -c ${bin} -n ${quote(inTopic)} -f`)
    for (const command of shown.filter((c) => c.id.startsWith(`${topic}:`)))
      lines.push(
        `complete -c ${bin} -n ${quote(inTopic)} -a ${command.id.slice(topic.length + 1)}${said(command.summary)}`,
      )
  }
  for (const command of shown) {
    const condition = command.id
      .split(':')
      .map((word) => `__fish_seen_subcommand_from ${word}`)
      .join('; and ')
    for (const flag of Object.values(command.flags)) {
      const short = flag.char ? ` -s ${flag.char}` : ''
      const value = flag.type === 'option' ? (flag.options ? ` -x -a ${quote(flag.options.join(' '))}` : ' -r') : ''
      lines.push(
        `complete -c ${bin} -n ${quote(condition)} -l ${flag.name}${short}${value}${said(flag.summary ?? flag.description)}`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}
