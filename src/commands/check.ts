import {appendFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {BaseCommand, sourceFlags} from '../base-command.js'
import {type CheckConfig, findConfig, readConfig} from '../check/config.js'
import {RULE_NAMES, RULES, type RuleName, type RuleSettings, validateSettings, withDefaults} from '../check/rules.js'
import {checkImage, readBaseline} from '../check/run-check.js'
import {InputError} from '../errors.js'
import {plainTable} from '../report/plain-table.js'
import type {CheckReport} from '../check/rules.js'
import {renderCheckTable, renderJunit, renderMarkdown} from '../report/check-report.js'
import {toJson} from '../report/format.js'

const kebab = (name: string) => name.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** Each rule is a flag of its own name, with a kebab-case alias. */
const ruleFlags = {
  ...(Object.fromEntries(
    RULE_NAMES.filter((name) => name !== 'forbidPaths').map((name) => [
      name,
      Flags.string({description: RULES[name].description, aliases: [kebab(name)], helpGroup: 'RULES'}),
    ]),
  ) as Record<Exclude<RuleName, 'forbidPaths'>, ReturnType<typeof Flags.string>>),
  forbidPaths: Flags.string({
    description: `${RULES.forbidPaths.description} (repeatable)`,
    aliases: ['forbid-paths'],
    multiple: true,
    helpGroup: 'RULES',
  }),
}

export default class Check extends BaseCommand {
  static override summary = 'Gate CI and git push on image size: exit 1 when a rule fails.'
  static override description = `Rules come from .docker-layers.yml (looked up from the working directory to the repository root) or dive's .dive-ci, then from flags, which win. dive's three rules keep dive's semantics and defaults, so existing thresholds carry over. With no SOURCE, the images: of the configuration are checked. Exit 0 when every rule passes, 1 when any fails, 2 on a usage or input error.`

  static override strict = false
  static override args = {}
  static override examples = [
    '<%= config.bin %> <%= command.id %> myapp:latest --lowestEfficiency 0.95 --maxLayers 12',
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
    ...ruleFlags,
    ...sourceFlags,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Check)
    const config: CheckConfig = flags.config
      ? readConfig(flags.config)
      : (() => {
          const found = findConfig(process.cwd())
          return found ? readConfig(found) : {images: [], rules: {}}
        })()
    const fromFlags: RuleSettings = {}
    for (const name of RULE_NAMES) {
      const value = (flags as Record<string, string | string[] | undefined>)[name]
      if (value !== undefined) fromFlags[name] = {value, from: `--${name}`}
    }
    const settings = withDefaults({...config.rules, ...fromFlags})
    validateSettings(settings)
    if (flags['print-config']) {
      const rows = RULE_NAMES.map((name) => ({rule: name, value: settings[name].value, from: settings[name].from}))
      if (flags.format === 'json')
        await this.emit(toJson({config: config.path ?? null, images: config.images, rules: rows}))
      else
        await this.emit(
          `${config.path ? `Config: ${config.path}` : 'Config: none found (defaults and flags only)'}\n\n${plainTable(
            ['RULE', 'VALUE', 'FROM'],
            rows.map((r) => [r.rule, Array.isArray(r.value) ? r.value.join(', ') : r.value, r.from]),
          )}\n`,
        )
      return
    }
    const sources = argv.length > 0 ? (argv as string[]) : config.images
    if (sources.length === 0)
      throw new InputError(`nothing to check: give SOURCE, or list images: in ${config.path ?? '.docker-layers.yml'}`)
    const open = (source: string) => this.openImage(source, flags)
    const baseline = flags.baseline ? await readBaseline(flags.baseline, open) : undefined
    const report: CheckReport = {schemaVersion: 1, passed: true, images: []}
    for (const source of sources) {
      const image = await open(source)
      report.images.push(checkImage(source, image, settings, baseline))
      await image.close() // one image in memory at a time
    }
    report.passed = report.images.every((image) => image.passed)
    const render = {table: renderCheckTable, json: toJson, junit: renderJunit, markdown: renderMarkdown}[
      flags.format as 'table' | 'json' | 'junit' | 'markdown'
    ]
    await this.emit(render(report))
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${renderMarkdown(report)}\n`)
    if (!report.passed) this.exit(1)
  }
}
