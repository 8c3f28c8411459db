// Writes docs/commands.md from oclif.manifest.json, so the command reference never drifts from the code,
// and puts the manifest's commands in a stable order; then docs/schemas from the report types (schemas.ts).
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {writeSchemas} from './schemas.js'

interface ManifestFlag {
  name: string
  char?: string
  description?: string
  type: 'boolean' | 'option'
  default?: unknown
  options?: string[]
  helpGroup?: string
  multiple?: boolean
}

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  examples?: string[]
  args: Record<string, {name: string; description?: string; required?: boolean}>
  flags: Record<string, ManifestFlag>
}

const root = new URL('../', import.meta.url)
const manifestPath = fileURLToPath(new URL('oclif.manifest.json', root))
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {commands: Record<string, ManifestCommand>}
// oclif lists commands in the order the filesystem returns them, which differs between clones: sort them
// so that the committed manifest is the same wherever it is built
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)))
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
const lines = [
  '# Commands',
  '',
  'Generated from `oclif.manifest.json` by `npm run build`; every command also runs as `docker layers …`.',
  '',
]
for (const command of Object.values(manifest.commands).sort((a, b) => a.id.localeCompare(b.id))) {
  const args = Object.values(command.args).map((arg) =>
    arg.required ? arg.name.toUpperCase() : `[${arg.name.toUpperCase()}]`,
  )
  lines.push(
    `## \`docker-layers ${command.id.replaceAll(':', ' ')}${args.length > 0 ? ` ${args.join(' ')}` : ''}\``,
    '',
  )
  if (command.summary) lines.push(command.summary, '')
  if (command.description) lines.push(command.description, '')
  for (const arg of Object.values(command.args)) lines.push(`- \`${arg.name.toUpperCase()}\`: ${arg.description ?? ''}`)
  if (Object.keys(command.args).length > 0) lines.push('')
  const flags = Object.values(command.flags).filter((flag) => flag.name !== 'help')
  if (flags.length > 0) {
    lines.push('| flag | meaning | default |', '| --- | --- | --- |')
    for (const flag of flags) {
      const value = flag.type === 'option' ? (flag.options ? ` ${flag.options.join('\\|')}` : ' VALUE') : ''
      const spelled = `${flag.char ? `-${flag.char}, ` : ''}--${flag.name}${value}`
      // a flag's own description may already say it repeats (as --help shows nothing for it)
      const description = flag.description ?? ''
      const repeatable = flag.multiple && !description.includes('(repeatable)') ? ' (repeatable)' : ''
      lines.push(
        `| \`${spelled}\` | ${description}${repeatable} | ${flag.default === undefined ? '' : `\`${String(flag.default)}\``} |`,
      )
    }
    lines.push('')
  }
  if (command.examples && command.examples.length > 0) {
    lines.push(
      '```sh',
      ...command.examples.map((example) =>
        example
          .replace(/^\$ /, '')
          .replaceAll('<%= config.bin %>', 'docker-layers')
          .replaceAll('<%= command.id %>', command.id),
      ),
      '```',
      '',
    )
  }
}
writeFileSync(fileURLToPath(new URL('docs/commands.md', root)), lines.join('\n'))
await writeSchemas()
