import {existsSync, readFileSync} from 'node:fs'

import {analyzeImage} from '../analysis/analyze.js'
import {InputError} from '../errors.js'
import type {ImageCheck} from './rules.js'
import type {Image} from '../image/image.js'
import {evaluateRules, type RuleSettings} from './rules.js'

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
    if (report.schemaVersion !== 1 || typeof report.summary?.totalBytes !== 'number')
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
