import {existsSync, readFileSync} from 'node:fs'

import {analyzeImage} from '../analysis/analyze.js'
import {SCHEMA_VERSION} from '../analysis/identity.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import {type CheckConfig, whereToListImages} from './config.js'
import {type CheckReport, evaluateRules, type ImageCheck, type RuleSettings} from './rules.js'

/** A baseline's size: from a saved `analyze --format json`, or by analyzing a previous image. */
export async function readBaseline(
  argument: string,
  open: (source: string) => Promise<Image>,
): Promise<{name: string; totalBytes: number}> {
  if (argument.endsWith('.json') && existsSync(argument)) {
    let report: {schemaVersion?: number; summary?: {totalBytes?: number}}
    try {
      report = JSON.parse(readFileSync(argument, 'utf8'))
    } catch (error) {
      throw new InputError(`--baseline ${argument}: not JSON (${(error as Error).message})`)
    }
    // summary.totalBytes means the same in both versions of the analyze report
    if (![1, SCHEMA_VERSION].includes(report.schemaVersion ?? 0) || typeof report.summary?.totalBytes !== 'number')
      throw new InputError(`--baseline ${argument}: not a docker-layers analyze report`)
    return {name: argument, totalBytes: report.summary.totalBytes}
  }
  const image = await open(argument)
  try {
    return {name: argument, totalBytes: analyzeImage(image, 0).summary.totalBytes ?? 0}
  } finally {
    await image.close()
  }
}

/** Checks one image against the effective rules. */
export function checkImage(
  name: string,
  image: Image,
  settings: Required<RuleSettings>,
  baseline?: {name: string; totalBytes: number},
): ImageCheck {
  const report = analyzeImage(image, 0)
  const rules = evaluateRules(settings, {report, contents: image.layers.map((layer) => layer.contents), baseline})
  return {source: name, repoTags: image.repoTags, passed: rules.every((r) => r.status !== 'fail'), rules}
}

/**
 * Checks each source (the config's images when none is given) against the rules, one image in memory at a time;
 * `baseline`, when given, is read first.
 */
export async function runCheck(request: {
  sources: string[]
  config: CheckConfig
  settings: Required<RuleSettings>
  baseline?: string
  open: (source: string) => Promise<Image>
}): Promise<CheckReport> {
  const {config, settings, open} = request
  const sources = request.sources.length > 0 ? request.sources : config.images
  if (sources.length === 0)
    throw new InputError(`nothing to check: give SOURCE, or ${whereToListImages(config.path, '.')}`)
  const baseline = request.baseline ? await readBaseline(request.baseline, open) : undefined
  const images: ImageCheck[] = []
  for (const source of sources) {
    const image = await open(source)
    images.push(checkImage(source, image, settings, baseline))
    await image.close()
  }
  return {schemaVersion: 1, passed: images.every((image) => image.passed), images}
}
