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
 * Computes dive's efficiency the way dive does: over the leaves of each layer's own tree, a leaf's size is
 * its header size, a whiteout of a directory weighs the subtree it hid, a whiteout of a file weighs 0,
 * opaque markers are not paths. Feed each layer before the model applies it.
 */
export class DiveEfficiency {
  /** Per path: its size while it was seen once (most paths; a number costs no object), then its data. */
  private readonly paths = new Map<string, PathData | number>()
  private readonly layerBytes: number[] = []

  /** Records a layer's leaves; `below` is the model with the layers under this one applied. */
  observe(contents: LayerContents, below: UnionFs): void {
    this.layerBytes.push(contents.bytes)
    const sizes = new Map<string, number>()
    for (const entry of contents.entries) sizes.set(entry.path, entry.size)
    for (const path of contents.whiteouts) {
      const hidden = below.lookup(path)
      let bytes = 0
      if (hidden?.children) for (const [, node] of subtree(hidden, path)) bytes += node.entry?.size ?? 0
      sizes.set(path, bytes)
    }
    const parents = new Set<string>()
    for (const path of sizes.keys()) {
      // each parent a slice of the path up to one of its slashes, found from the right: one scan per path
      for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
        const dir = path.slice(0, slash)
        if (parents.has(dir)) break
        parents.add(dir)
      }
    }
    for (const [path, size] of sizes) {
      if (parents.has(path)) continue
      const data = this.paths.get(path)
      if (data === undefined) {
        this.paths.set(path, size)
      } else if (typeof data === 'number') {
        this.paths.set(path, {cumulative: data + size, minimum: Math.min(data, size)})
      } else {
        data.cumulative += size
        data.minimum = Math.min(data.minimum, size)
      }
    }
  }

  result(): DiveSummary {
    let minimum = 0
    let cumulative = 0
    let inefficientBytes = 0
    for (const data of this.paths.values()) {
      if (typeof data === 'number') {
        minimum += data
        cumulative += data
        continue
      }
      minimum += data.minimum
      cumulative += data.cumulative
      inefficientBytes += data.cumulative
    }
    const userBytes = this.layerBytes.slice(1).reduce((sum, bytes) => sum + bytes, 0)
    return {
      efficiency: cumulative === 0 ? 1 : minimum / cumulative,
      inefficientBytes,
      userWastedPercent: userBytes === 0 ? 0 : inefficientBytes / userBytes,
    }
  }
}
