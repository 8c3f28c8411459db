import {Flags} from '@oclif/core'

import {argument, BaseCommand, sourceFlags} from '../base-command.js'
import {configReport, effectiveConfig} from '../check/config.js'
import {RULE_NAMES, RULES, type RuleName, type RuleSettings} from '../check/rules.js'
import {runCheck} from '../check/run-check.js'
import {appendStepSummary} from '../check/step-summary.js'
import {checkView, configView} from '../report/check-report.js'
import {render} from '../report/render.js'

/** A rule's flag: its name in kebab-case, as every other flag is spelled. */
const kebab = (name: RuleName) => name.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** Each rule is a kebab-case flag, with dive's camelCase name as an alias. */
const ruleFlags = Object.fromEntries(
  RULE_NAMES.map((name) => {
    const options = {description: `${RULES[name].description} (alias --${name})`, aliases: [name], helpGroup: 'RULES'}
    return [kebab(name), name === 'forbidPaths' ? Flags.string({...options, multiple: true}) : Flags.string(options)]
  }),
) as Record<string, ReturnType<typeof Flags.string>>

/** The rules given as flags, by rule name, each with its flag spelled as the user typed it (the last one typed). */
function ruleSettings(flags: Record<string, unknown>, argv: string[]): RuleSettings {
  const settings: RuleSettings = {}
  for (const name of RULE_NAMES) {
    const value = flags[kebab(name)] as string | string[] | undefined
    if (value === undefined) continue
    const typed = [...argv].reverse().find((arg) => [name, kebab(name)].includes(arg.replace(/^--/, '').split('=')[0]))
    settings[name] = {value, from: typed?.split('=')[0] ?? `--${kebab(name)}`}
  }
  return settings
}

export default class Check extends BaseCommand {
  static override summary = 'Gate CI and git push on image size: exit 1 when a rule fails.'
  static override description =
    `Rules come from .docker-layers.yml (looked up from the working directory to ` +
    `the repository root) or dive's .dive-ci, then from flags, which win. dive's three rules keep dive's semantics ` +
    `and defaults, so existing thresholds carry over. With no SOURCE, the images: of the configuration are checked. ` +
    `Exit 0 when every rule passes, 1 when any fails, 2 on a usage or input error.`

  static override strict = false
  static override usage = '<%= command.id %> [SOURCE...] [flags]'
  static override args = {
    source: argument({description: 'images, archives or layouts to check (default: images: of the configuration)'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest --lowest-efficiency 0.95 --max-layers 12',
    "<%= config.bin %> <%= command.id %> app.tar --forbid-paths '**/id_rsa' --forbid-paths '**/.env' --format junit > check.xml",
    '<%= config.bin %> <%= command.id %> myapp:new --baseline myapp:old --max-growth-percent 5',
    '<%= config.bin %> <%= command.id %> --print-config',
  ]

  static override flags = {
    config: Flags.string({description: 'rules file (.docker-layers.yml or a dive .dive-ci); default: the nearest one'}),
    baseline: Flags.string({description: 'a previous image, or a saved `analyze --format json`, for the growth rules'}),
    format: Flags.string({
      char: 'f',
      description: 'output format',
      options: ['table', 'json', 'junit', 'markdown'],
      default: 'table',
    }),
    'print-config': Flags.boolean({description: 'show the effective rules and where each came from, then exit'}),
    all: Flags.boolean({description: 'table: list the rules that are off too'}),
    ...ruleFlags,
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Check)
    const {config, settings} = effectiveConfig({
      file: flags.config,
      cwd: process.cwd(),
      flags: ruleSettings(flags, this.argv),
    })
    if (flags['print-config']) {
      // the effective rules are JSON or a table: junit and markdown show the table too
      const format = flags.format === 'json' ? 'json' : 'table'
      return this.emit(render(format, configView(configReport(config, settings))))
    }
    const report = await runCheck({
      sources: argv as string[],
      config,
      settings,
      baseline: flags.baseline,
      open: (source) => this.openImage(source, flags),
    })
    const view = checkView(report, {all: flags.all})
    await this.emit(render(flags.format, view))
    appendStepSummary(render('markdown', view))
    if (!report.passed) this.exit(1)
  }
}
