import {containerPath} from '../model/entry.js'
import {buildUnionFs, type HideReason, type UnionFs} from '../model/union-fs.js'
import type {Image, SourceInfo} from '../image/image.js'
import {describeImage, type ImageIdentity, SCHEMA_VERSION} from './identity.js'
import {layerCommands} from './files.js'
import type {Bytes, Count} from './figures.js'

/** Bytes a layer stores that the final filesystem never shows, and what hid them. */
export interface WasteRecord {
  /** absolute, as a container sees it */
  path: string
  bytes: Bytes
  layer: Count
  createdBy: string | null
  /** the layer that hides the path */
  hiddenBy: Count
  hiddenByCreatedBy: string | null
  how: HideReason
}

/** One stored copy of a content. */
export interface ContentCopy {
  /** absolute, as a container sees it */
  path: string
  layer: Count
  visible: boolean
}

/** Identical content stored more than once (hardlinks share their content and are not copies). */
export interface DuplicateGroup {
  /** @pattern ^sha256:[0-9a-f]{64}$ */
  digest: string
  /** the content's bytes (one copy) */
  bytes: Bytes
  /** @minItems 2 */
  copies: ContentCopy[]
  /** Bytes stored beyond the first copy: bytes × (copies − 1). */
  costBytes: Bytes
}

/**
 * `waste SOURCE --format json`. Σ waste[].bytes = wastedBytes = analyze's summary.wastedBytes.
 * @title docker-layers waste report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/waste.json
 */
export interface WasteReport {
  schemaVersion: typeof SCHEMA_VERSION
  source: SourceInfo
  image: ImageIdentity
  wastedBytes: Bytes
  waste: WasteRecord[]
  /** with --duplicates */
  duplicates?: DuplicateGroup[]
}

/**
 * Every stored-but-hidden content, largest first; their bytes add up to analyze's wastedBytes. With
 * hashed layers, also the groups of identical content stored under several paths or layers. `fs` is the image's
 * union filesystem when the caller has built it already (analyze does).
 */
export function findWaste(image: Image, options: {duplicates?: boolean; fs?: UnionFs} = {}): WasteReport {
  const fs =
    options.fs ??
    buildUnionFs(
      image.layers.map((layer) => layer.contents),
      undefined,
      image.notes,
    )
  const commands = layerCommands(image)
  const records: WasteRecord[] = []
  for (const contents of fs.contents) {
    for (const content of contents) {
      if (content.refs > 0) continue
      records.push({
        path: containerPath(content.entry.path),
        bytes: content.entry.size,
        layer: content.layer,
        createdBy: commands[content.layer] ?? null,
        hiddenBy: content.hiddenBy,
        hiddenByCreatedBy: commands[content.hiddenBy] ?? null,
        how: content.how as HideReason,
      })
    }
  }
  records.sort(
    (a, b) => a.layer - b.layer || a.hiddenBy - b.hiddenBy || b.bytes - a.bytes || (a.path < b.path ? -1 : 1),
  )
  const report: WasteReport = {
    schemaVersion: SCHEMA_VERSION,
    source: image.source,
    image: describeImage(image),
    wastedBytes: records.reduce((sum, r) => sum + r.bytes, 0),
    waste: records,
  }
  if (options.duplicates) {
    const groups = new Map<string, DuplicateGroup>()
    for (const content of fs.contents.flat()) {
      const {digest, size, path} = content.entry
      if (!digest || size === 0) continue
      let group = groups.get(digest)
      if (!group) {
        group = {digest, bytes: size, copies: [], costBytes: 0}
        groups.set(digest, group)
      }
      group.copies.push({path: containerPath(path), layer: content.layer, visible: content.refs > 0})
    }
    report.duplicates = [...groups.values()]
      .filter((group) => group.copies.length > 1)
      .map((group) => ({...group, costBytes: group.bytes * (group.copies.length - 1)}))
      .sort((a, b) => b.costBytes - a.costBytes || (a.digest < b.digest ? -1 : 1))
  }
  return report
}
