import {minimatch} from 'minimatch'

import type {AnalyzeReport} from '../analysis/analyze.js'
import {InputError} from '../errors.js'
import {containerPath, type LayerContents} from '../model/entry.js'
import {humanSize, parseSize} from '../human-size.js'

/** How a rule reads its threshold: a ratio is 0 to 1, a factor any number from 0 (dive's user-wasted can pass 1). */
type Kind = 'ratio' | 'factor' | 'bytes' | 'count' | 'percent' | 'globs'

interface RuleSpec {
  kind: Kind
  /** dive's three rules, with dive's defaults and semantics. */
  dive?: true
  default?: string
  description: string
}

export const RULES = {
  lowestEfficiency: {
    kind: 'ratio',
    dive: true,
    default: '0.9',
    description: "fail when dive's efficiency is below this ratio (0-1)",
  },
  highestWastedBytes: {
    kind: 'bytes',
    dive: true,
    default: 'disabled',
    description: "fail when dive's inefficient bytes exceed this size",
  },
  highestUserWastedPercent: {
    kind: 'factor',
    dive: true,
    default: '0.1',
    description:
      "fail when dive's user-wasted ratio exceeds this (inefficient bytes over the bytes of the layers above the first; it can pass 1)",
  },
  maxImageBytes: {kind: 'bytes', description: 'fail when the image holds more content bytes than this'},
  maxLayers: {kind: 'count', description: 'fail when the image has more layers than this'},
  maxLayerBytes: {kind: 'bytes', description: 'fail when any one layer holds more content bytes than this'},
  maxWastedBytes: {kind: 'bytes', description: 'fail when the exact wasted bytes (stored, never shown) exceed this'},
  maxWastedPercent: {
    kind: 'percent',
    description: 'fail when the exact wasted bytes exceed this percentage (0-100) of the image',
  },
  maxGrowthBytes: {kind: 'bytes', description: 'fail when the image grew by more than this against --baseline'},
  maxGrowthPercent: {
    kind: 'percent',
    description: 'fail when the image grew by more than this percentage against --baseline',
  },
  forbidPaths: {
    kind: 'globs',
    description: 'fail when a path matching a glob exists in any layer, even one a later layer deleted',
  },
} satisfies Record<string, RuleSpec>

export type RuleName = keyof typeof RULES
export const RULE_NAMES = Object.keys(RULES) as RuleName[]

/** A rule's threshold as written, and where it was written. */
export interface RuleSetting {
  value: string | string[]
  from: string
}

export type RuleSettings = Partial<Record<RuleName, RuleSetting>>

export type RuleStatus = 'pass' | 'fail' | 'off'

export interface RuleResult {
  rule: RuleName
  status: RuleStatus
  /** The image's figure the threshold is compared with (null when the rule is off). */
  value: number | null
  threshold: number | string[] | null
  /** a file path, --flag, 'default' or 'default (dive)' */
  from: string
  /** value and threshold as people read them ("6.41kB", "82.54%"), '-' when off. */
  valueText: string
  thresholdText: string
  message: string
}

/** What rules look at: the analysis, every layer's entries (for forbidPaths), and a baseline's size. */
export interface CheckSubject {
  report: AnalyzeReport
  contents: LayerContents[]
  baseline?: {name: string; totalBytes: number}
}

const DISABLED = new Set(['disabled', 'off', 'false', ''])

export function isRuleName(name: string): name is RuleName {
  return Object.hasOwn(RULES, name)
}

/** The effective settings: dive's defaults, then each layer of configuration in turn. */
export function withDefaults(settings: RuleSettings): Required<RuleSettings> {
  const result = {} as Required<RuleSettings>
  for (const name of RULE_NAMES) {
    const spec: RuleSpec = RULES[name]
    result[name] = settings[name] ?? {value: spec.default ?? 'off', from: spec.default ? 'default (dive)' : 'default'}
  }
  return result
}

function parseThreshold(name: RuleName, setting: RuleSetting): number | string[] | null {
  const spec: RuleSpec = RULES[name]
  if (spec.kind === 'globs') {
    const globs = (Array.isArray(setting.value) ? setting.value : [setting.value])
      .map((g) => g.trim())
      .filter((g) => !DISABLED.has(g.toLowerCase()))
    return globs.length > 0 ? globs : null
  }
  const text = String(Array.isArray(setting.value) ? setting.value.at(-1) : setting.value).trim()
  if (DISABLED.has(text.toLowerCase())) return null
  const bad = (expected: string) =>
    new InputError(`${name} ${JSON.stringify(text)} (from ${setting.from}): expected ${expected}`)
  switch (spec.kind) {
    case 'bytes': {
      const bytes = parseSize(text)
      if (bytes === undefined) throw bad('a size such as 20MB, 512KiB or 1B')
      return bytes
    }
    case 'count': {
      if (!/^\d+$/.test(text)) throw bad('a whole number')
      return Number(text)
    }
    case 'ratio':
    case 'factor': {
      const ratio = Number(text)
      const max = spec.kind === 'ratio' ? 1 : Number.POSITIVE_INFINITY
      if (text === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > max)
        throw bad(spec.kind === 'ratio' ? 'a ratio from 0 to 1' : 'a number from 0, such as 0.1 or 2.5')
      return ratio
    }
    default: {
      const percent = Number(text.replace(/%$/, ''))
      if (!Number.isFinite(percent) || percent < 0) throw bad('a percentage such as 5 or 12.5%')
      return percent
    }
  }
}

/** Checks every threshold parses, before any image is read. */
export function validateSettings(settings: Required<RuleSettings>): void {
  for (const name of RULE_NAMES) parseThreshold(name, settings[name])
}

function format(kind: Kind, value: number): string {
  if (kind === 'bytes') return humanSize(value)
  if (kind === 'percent') return `${value.toFixed(2)}%`
  if (kind === 'ratio' || kind === 'factor') return String(Number(value.toFixed(6)))
  return String(value)
}

/** Evaluates every rule against one image. A value exactly at its threshold passes. */
export function evaluateRules(settings: Required<RuleSettings>, subject: CheckSubject): RuleResult[] {
  const {report} = subject
  const {summary} = report
  return RULE_NAMES.map((rule): RuleResult => {
    const setting = settings[rule]
    const spec: RuleSpec = RULES[rule]
    const threshold = parseThreshold(rule, setting)
    const base = {rule, from: setting.from, threshold}
    if (threshold === null)
      return {...base, status: 'off', value: null, valueText: '-', thresholdText: '-', message: 'off'}
    if (rule === 'forbidPaths') {
      const globs = threshold as string[]
      const hits: string[] = []
      for (const [layer, contents] of subject.contents.entries()) {
        for (const entry of contents.entries) {
          if (globs.some((glob) => minimatch(entry.path, glob.replace(/^\/+/, ''), {dot: true})))
            hits.push(`${containerPath(entry.path)} (layer ${layer})`)
        }
      }
      const message =
        hits.length === 0
          ? 'no path matches'
          : `${hits.slice(0, 5).join(', ')}${hits.length > 5 ? ` and ${hits.length - 5} more` : ''}`
      return {
        ...base,
        status: hits.length > 0 ? 'fail' : 'pass',
        value: hits.length,
        valueText: hits.length === 0 ? '0 paths' : message,
        thresholdText: globs.join(', '),
        message,
      }
    }
    const limit = threshold as number
    let value: number
    let largest = ''
    switch (rule) {
      case 'lowestEfficiency': {
        value = summary.dive?.efficiency ?? 1
        break
      }
      case 'highestWastedBytes': {
        value = summary.dive?.inefficientBytes ?? 0
        break
      }
      case 'highestUserWastedPercent': {
        value = summary.dive?.userWastedPercent ?? 0
        break
      }
      case 'maxImageBytes': {
        value = summary.totalBytes ?? 0
        break
      }
      case 'maxLayers': {
        value = summary.layers
        break
      }
      case 'maxLayerBytes': {
        const top = report.layers.reduce(
          (best, layer) => ((layer.bytes ?? 0) > (best?.bytes ?? -1) ? layer : best),
          report.layers[0],
        )
        value = top?.bytes ?? 0
        largest = top ? ` (layer ${top.index}${top.createdBy ? `: ${top.createdBy.slice(0, 60)}` : ''})` : ''
        break
      }
      case 'maxWastedBytes': {
        value = summary.wastedBytes ?? 0
        break
      }
      case 'maxWastedPercent': {
        value = summary.wastedPercent ?? 0
        break
      }
      default: {
        if (!subject.baseline)
          throw new InputError(`${rule} needs --baseline (a previous image, or a saved analyze --format json)`)
        const growth = (summary.totalBytes ?? 0) - subject.baseline.totalBytes
        value =
          rule === 'maxGrowthBytes'
            ? growth
            : subject.baseline.totalBytes === 0
              ? 0
              : (growth / subject.baseline.totalBytes) * 100
      }
    }
    const failed = rule === 'lowestEfficiency' ? value < limit : value > limit
    const relation = rule === 'lowestEfficiency' ? (failed ? 'below' : 'at or above') : failed ? 'above' : 'within'
    const valueText = `${format(spec.kind, value)}${largest}`
    const thresholdText = format(spec.kind, limit)
    return {
      ...base,
      status: failed ? 'fail' : 'pass',
      value,
      valueText,
      thresholdText,
      message: `${valueText} ${relation} ${thresholdText}`,
    }
  })
}

/** One image's check: its rule results. */
export interface ImageCheck {
  source: string
  repoTags: string[]
  passed: boolean
  rules: RuleResult[]
}

/**
 * `check --format json`. Exit 1 when passed is false.
 * @title docker-layers check report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/check.json
 */
export interface CheckReport {
  schemaVersion: 1
  passed: boolean
  images: ImageCheck[]
}
