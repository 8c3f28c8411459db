import {type HideReason, UnionFs} from '../model/union-fs.js'
import type {Image} from '../image/image.js'
import {layerCommands} from './files.js'

/** Bytes a layer stores that the final filesystem never shows, and what hid them. */
export interface WasteRecord {
  path: string
  bytes: number
  layer: number
  createdBy: string | null
  removedBy: number
  removedByCreatedBy: string | null
  how: HideReason
}

/** Identical content stored more than once (hardlinks share their content and are not copies). */
export interface DuplicateGroup {
  digest: string
  size: number
  copies: Array<{path: string; layer: number; visible: boolean}>
  /** Bytes stored beyond the first copy: size × (copies − 1). */
  costBytes: number
}

export interface WasteReport {
  records: WasteRecord[]
  totalBytes: number
  duplicates?: DuplicateGroup[]
}

/**
 * Every stored-but-hidden content, largest first; their bytes add up to analyze's wastedBytes. With
 * hashed layers, also the groups of identical content stored under several paths or layers.
 */
export function findWaste(image: Image, options: {duplicates?: boolean} = {}): WasteReport {
  const fs = new UnionFs()
  for (const {contents} of image.layers) fs.apply(contents)
  const commands = layerCommands(image)
  const records: WasteRecord[] = []
  for (const contents of fs.contents) {
    for (const content of contents) {
      if (content.refs > 0) continue
      records.push({
        path: content.entry.path,
        bytes: content.entry.size,
        layer: content.layer,
        createdBy: commands[content.layer] ?? null,
        removedBy: content.hiddenBy,
        removedByCreatedBy: commands[content.hiddenBy] ?? null,
        how: content.how as HideReason,
      })
    }
  }
  records.sort(
    (a, b) => a.layer - b.layer || a.removedBy - b.removedBy || b.bytes - a.bytes || (a.path < b.path ? -1 : 1),
  )
  const report: WasteReport = {records, totalBytes: records.reduce((sum, r) => sum + r.bytes, 0)}
  if (options.duplicates) {
    const groups = new Map<string, DuplicateGroup>()
    for (const content of fs.contents.flat()) {
      const {digest, size, path} = content.entry
      if (!digest || size === 0) continue
      let group = groups.get(digest)
      if (!group) {
        group = {digest, size, copies: [], costBytes: 0}
        groups.set(digest, group)
      }
      group.copies.push({path, layer: content.layer, visible: content.refs > 0})
    }
    report.duplicates = [...groups.values()]
      .filter((group) => group.copies.length > 1)
      .map((group) => ({...group, costBytes: group.size * (group.copies.length - 1)}))
      .sort((a, b) => b.costBytes - a.costBytes || (a.digest < b.digest ? -1 : 1))
  }
  return report
}
