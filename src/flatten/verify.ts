import {type FinalEntry, finalFs, finalPairs} from '../analysis/final-fs.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'
import {containerPath} from '../model/entry.js'

function show(e: FinalEntry): string {
  const link = e.linkTarget ? ` -> ${e.linkTarget}` : ''
  const digest = e.digest ? ` ${e.digest.slice(7, 19)}` : ''
  return `${e.type} ${e.bytes}B ${e.mode} ${e.uid}:${e.gid}${link}${digest}`
}

/**
 * Fails when the flattened image's filesystem differs from the source's final filesystem, naming the first
 * differences; else returns how many paths (`/` included when the source has an entry for it) are equal.
 */
export function verifyFlattened(source: Image, written: Image, limit = 5): number {
  const problems: string[] = []
  let equal = 0
  for (const {path, a: want, b: got} of finalPairs(finalFs(source), finalFs(written))) {
    if (!want) problems.push(`${containerPath(path)} is extra`)
    else if (!got) problems.push(`${containerPath(path)} is missing`)
    else if (show(got) !== show(want)) problems.push(`${containerPath(path)}: ${show(got)}, expected ${show(want)}`)
    else equal++
    if (problems.length >= limit) break
  }
  if (problems.length > 0)
    throw new InputError(
      `--verify: the written image differs from the source's final filesystem: ${problems.join('; ')}`,
    )
  return equal
}
