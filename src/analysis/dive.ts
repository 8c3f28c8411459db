import type {LayerContents} from '../model/entry.js'
import {type UnionFs, subtree} from '../model/union-fs.js'
import type {Count} from './figures.js'

/** dive 0.13's image figures, so that thresholds written for `dive --ci` carry over. */
export interface DiveSummary {
  /**
   * @minimum 0
   * @maximum 1
   */
  efficiency: number
  inefficientBytes: Count
  /**
   * a ratio, as in dive; not bounded by 1
   * @minimum 0
   */
  userWastedPercent: number
}

/** A path seen in two or more layers (a path seen once is kept as its bare size). */
interface PathData {
  cumulative: number
  minimum: number
}

/**
 * What each of a layer's whiteouts weighs for dive: a whiteout of a directory the subtree it hid, of a file 0.
 * `below` is the model with the layers under this one applied.
 */
export function whiteoutWeights(contents: LayerContents, below: UnionFs): number[] {
  return contents.whiteouts.map((path) => {
    const hidden = below.lookup(path)
    let bytes = 0
    if (hidden?.children) for (const [, node] of subtree(hidden, path)) bytes += node.entry?.size ?? 0
    return bytes
  })
}

/**
 * Computes dive's efficiency the way dive does: over the leaves of each layer's own tree, a leaf's size is
 * its header size, a whiteout weighs what `whiteoutWeights` gives, opaque markers are not paths.
 */
export function diveSummary(layers: readonly LayerContents[], weights: readonly number[][]): DiveSummary {
  // one layer sees each of its paths once: every path's smallest size is all of its sizes, and no layer is the
  // user's (a flattened image of a million paths needs no map of them)
  if (layers.length <= 1) return {efficiency: 1, inefficientBytes: 0, userWastedPercent: 0}
  // Per path: its size while it was seen in one layer (most paths; a number costs no object), then its data.
  // While a layer is read, a path first seen in it holds `-1 - size`: a path twice in one layer is known without
  // a second map of the layer's paths.
  const paths = new Map<string, PathData | number>()
  layers.forEach((contents, layer) => {
    const parents = new Parents()
    for (const entry of contents.entries) parents.add(entry.path)
    for (const path of contents.whiteouts) parents.add(path)
    // what paths seen in earlier layers held before this one: a path twice in a layer counts its last size once
    const before = new Map<string, PathData | number>()
    const see = (path: string, size: number): void => {
      if (parents.dirs.has(path)) return
      const data = paths.get(path)
      if (data === undefined || (typeof data === 'number' && data < 0)) {
        paths.set(path, -1 - size)
        return
      }
      let prior = before.get(path)
      if (prior === undefined) {
        prior = typeof data === 'number' ? data : {...data}
        before.set(path, prior)
      }
      paths.set(
        path,
        typeof prior === 'number'
          ? {cumulative: prior + size, minimum: Math.min(prior, size)}
          : {cumulative: prior.cumulative + size, minimum: Math.min(prior.minimum, size)},
      )
    }
    for (const entry of contents.entries) see(entry.path, entry.size)
    // a whiteout after the entries: where a layer has both for one path, the whiteout's weight counts
    contents.whiteouts.forEach((path, index) => see(path, weights[layer][index]))
    const settle = (path: string): void => {
      const data = paths.get(path)
      if (typeof data === 'number' && data < 0) paths.set(path, -1 - data)
    }
    for (const entry of contents.entries) settle(entry.path)
    for (const path of contents.whiteouts) settle(path)
  })
  let minimum = 0
  let cumulative = 0
  let inefficientBytes = 0
  for (const data of paths.values()) {
    if (typeof data === 'number') {
      minimum += data
      cumulative += data
      continue
    }
    minimum += data.minimum
    cumulative += data.cumulative
    inefficientBytes += data.cumulative
  }
  const userBytes = layers.slice(1).reduce((sum, contents) => sum + contents.bytes, 0)
  return {
    efficiency: cumulative === 0 ? 1 : minimum / cumulative,
    inefficientBytes,
    userWastedPercent: userBytes === 0 ? 0 : inefficientBytes / userBytes,
  }
}

/**
 * The directories above a layer's paths: each a slice up to one of its slashes, found from the right, stopping at
 * one already there. A path in the directory of the path before it (tar order keeps a directory's files
 * together) costs no slice: a million paths, a million strings less.
 */
class Parents {
  readonly dirs = new Set<string>()
  private last = ''

  add(path: string): void {
    let slash = path.lastIndexOf('/')
    if (slash <= 0 || (slash === this.last.length && path.startsWith(this.last))) return
    this.last = path.slice(0, slash)
    for (let dir = this.last; !this.dirs.has(dir); dir = path.slice(0, slash)) {
      this.dirs.add(dir)
      slash = path.lastIndexOf('/', slash - 1)
      if (slash <= 0) break
    }
  }
}
