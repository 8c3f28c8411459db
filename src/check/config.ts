import {existsSync, readFileSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'

import {parse} from 'yaml'

import {InputError} from '../errors.js'
import {
  isRuleName,
  RULE_NAMES,
  type RuleName,
  type RuleSetting,
  type RuleSettings,
  validateSettings,
  withDefaults,
} from './rules.js'

export const CONFIG_NAMES = ['.docker-layers.yml', '.docker-layers.yaml']
export const DIVE_CONFIG = '.dive-ci'

export interface CheckConfig {
  /** The file read, or undefined when none was found. */
  path?: string
  /** Images the hook checks (from `images:`). */
  images: string[]
  rules: RuleSettings
}

/** The nearest config from `start` up to the repository root: .docker-layers.yml first, then dive's .dive-ci. */
export function findConfig(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    for (const name of [...CONFIG_NAMES, DIVE_CONFIG]) {
      if (existsSync(join(dir, name))) return join(dir, name)
    }
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return undefined
  }
}

function asStrings(value: unknown, where: string): string | string[] {
  if (Array.isArray(value)) return value.map((v) => String(v))
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') throw new InputError(`${where}: expected a value or a list`)
  return String(value)
}

/**
 * Reads `.docker-layers.yml` (`images:` and `rules:`) or a dive `.dive-ci` as it is: its `rules:` keys,
 * ignoring other keys such as `plugins` and plugin rules (`plugin1/rule1`).
 */
export function readConfig(path: string): CheckConfig {
  let data: unknown
  try {
    data = parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message.split('\n')[0]}`)
  }
  const dive = path.endsWith(DIVE_CONFIG)
  const doc = (data ?? {}) as {images?: unknown; rules?: unknown}
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(`${path}: expected a mapping with rules:`)
  const rules: RuleSettings = {}
  const ruleMap = (doc.rules ?? {}) as Record<string, unknown>
  if (typeof ruleMap !== 'object' || Array.isArray(ruleMap)) throw new InputError(`${path}: rules: must be a mapping`)
  for (const [key, value] of Object.entries(ruleMap)) {
    if (isRuleName(key)) rules[key] = {value: asStrings(value, `${path}: rules.${key}`), from: path}
    else if (!dive && !key.includes('/')) throw new InputError(`${path}: unknown rule ${key}`)
  }
  const images = doc.images === undefined || dive ? [] : asStrings(doc.images, `${path}: images`)
  return {path, images: Array.isArray(images) ? images : images === '' ? [] : [images], rules}
}

/**
 * The rules `check` applies: those of the config file (`file`, or the nearest one from `cwd`), then those given as
 * flags (by rule name, each naming the flag as typed), which win, then the defaults. Every threshold is checked
 * before any image is read.
 */
export function effectiveConfig(options: {file?: string; cwd: string; flags: RuleSettings}): {
  config: CheckConfig
  settings: Required<RuleSettings>
} {
  const found = options.file || findConfig(options.cwd)
  const config: CheckConfig = found ? readConfig(found) : {images: [], rules: {}}
  const settings = withDefaults({...config.rules, ...options.flags})
  validateSettings(settings)
  return {config, settings}
}

/**
 * What to do so that `check` has images to read when given none: list them in the .docker-layers.yml in force, or
 * create one in `dir`. Never dive's .dive-ci, which has no images:; a .docker-layers.yml beside it is read instead.
 */
export function whereToListImages(path: string | undefined, dir: string): string {
  if (path && basename(path) !== DIVE_CONFIG) return `list images: in ${path}`
  const file = join(path ? dirname(path) : dir, CONFIG_NAMES[0])
  return path ? `create ${file} with images: and rules: (it is read instead of ${path})` : `create ${file} with images:`
}

/** One rule of `--print-config`: its effective value and where it came from. */
export interface ConfigRow {
  rule: RuleName
  value: RuleSetting['value']
  from: string
}

/**
 * `check --print-config --format json`: the effective rules and where each came from.
 * @title docker-layers check configuration
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/check-config.json
 */
export interface CheckConfigReport {
  /** The config file read, or null when none was found (defaults and flags only). */
  config: string | null
  /** Images checked when no SOURCE is given. */
  images: string[]
  rules: ConfigRow[]
}

export function configReport(config: CheckConfig, settings: Required<RuleSettings>): CheckConfigReport {
  return {
    config: config.path ?? null,
    images: config.images,
    rules: RULE_NAMES.map((name) => ({rule: name, value: settings[name].value, from: settings[name].from})),
  }
}
