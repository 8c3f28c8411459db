import {type FinalEntry, finalSnapshot} from '../analysis/final-fs.js'
import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'

/** The first differences between two final filesystems, as readable lines (empty when equal). */
export function compareFinal(expected: Map<string, FinalEntry>, actual: Map<string, FinalEntry>, limit = 5): string[] {
  const problems: string[] = []
  const show = (e: FinalEntry) =>
    `${e.type} ${e.size}B ${e.mode} ${e.uid}:${e.gid}${e.linkTarget ? ` -> ${e.linkTarget}` : ''}${e.digest ? ` ${e.digest.slice(7, 19)}` : ''}`
  for (const [path, want] of expected) {
    const got = actual.get(path)
    if (!got) problems.push(`/${path} is missing`)
    else if (show(got) !== show(want)) problems.push(`/${path}: ${show(got)}, expected ${show(want)}`)
    if (problems.length >= limit) return problems
  }
  for (const path of actual.keys()) {
    if (!expected.has(path)) problems.push(`/${path} is extra`)
    if (problems.length >= limit) break
  }
  return problems
}

/** Fails when the flattened image's filesystem differs from the source's final filesystem. */
export function verifyFlattened(source: Image, written: Image): number {
  const want = finalSnapshot(source)
  const got = finalSnapshot(written)
  const expected = want.root ? new Map([['', want.root], ...want.entries]) : want.entries
  const actual = got.root ? new Map([['', got.root], ...got.entries]) : got.entries
  const problems = compareFinal(expected, actual)
  if (problems.length > 0)
    throw new InputError(
      `--verify: the written image differs from the source's final filesystem: ${problems.join('; ')}`,
    )
  return expected.size
}
