import {containerPath, type LayerEntry} from '../model/entry.js'
import {type Content, type HideReason, UnionFs} from '../model/union-fs.js'
import {type Image, layerHistory, type SourceInfo} from '../image/image.js'
import type {MetadataImage} from '../image/metadata.js'
import {type Advice, adviseImage} from './advice.js'
import {type DiveSummary, diveSummary, whiteoutWeights} from './dive.js'
import type {Bytes, Count} from './figures.js'
import {describeImage, type ImageIdentity, SCHEMA_VERSION} from './identity.js'
import {type DuplicateGroup, findWaste} from './waste.js'

/**
 * A figure: null only in a metadata-only report (see unavailable).
 */
export type Figure = Count | null

export interface LayerFigures {
  index: Count
  digest: string | null
  createdBy: string | null
  created: string | null
  bytes: Figure
  entries: Figure
  added: Figure
  modified: Figure
  removed: Figure
  removedBytes: Figure
  wastedBytes: Figure
}

export interface WastedPath {
  /** absolute, as a container sees it */
  path: string
  bytes: Bytes
  layer: Count
  /** the layer that hides the path */
  hiddenBy: Count
  how: HideReason
}

export interface Summary {
  layers: Count
  totalBytes: Figure
  finalBytes: Figure
  finalFiles: Figure
  wastedBytes: Figure
  /** regular-file contents stored but never shown: the length of topWasted without --top */
  wastedFiles: Figure
  /**
   * @minimum 0
   * @maximum 100
   */
  wastedPercent: number | null
  dive: DiveSummary | null
}

/**
 * Output of `docker-layers analyze SOURCE --format json`. Field definitions: docs/metrics.md. schemaVersion changes
 * only when a field is removed or changes meaning; new fields may appear within a version.
 * @title docker-layers analyze report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/analyze.json
 */
export interface AnalyzeReport {
  schemaVersion: typeof SCHEMA_VERSION
  source: SourceInfo | MetadataImage['source']
  image: ImageIdentity
  summary: Summary
  layers: LayerFigures[]
  topWasted: WastedPath[]
  /**
   * Dockerfile changes and the bytes each saves, secrets first, then the largest saving (docs/metrics.md defines
   * each kind); empty in a metadata-only report
   */
  advice: Advice[]
  /** with --duplicates: identical content stored more than once, the largest cost first */
  duplicates?: DuplicateGroup[]
  /** metadata-only reports (--inspect/--history): the fields left null because the layers were not at hand */
  unavailable?: string[]
  /** metadata-only reports: sizes were read from docker history's rounded human format */
  approximate?: boolean
}

/** Layer fields a metadata-only report cannot compute. */
const LAYER_CONTENT_FIGURES = ['entries', 'added', 'modified', 'removed', 'removedBytes', 'wastedBytes'] as const

/** What `docker image inspect` and `docker history` alone can say: sizes and commands, no files. */
export function metadataReport(meta: MetadataImage): AnalyzeReport {
  const sized = meta.layers.every((layer) => layer.bytes !== null)
  const layers: LayerFigures[] = meta.layers.map((layer, index) => ({
    index,
    digest: layer.digest,
    createdBy: layer.createdBy,
    created: layer.created,
    bytes: layer.bytes,
    ...(Object.fromEntries(LAYER_CONTENT_FIGURES.map((name) => [name, null])) as Record<
      (typeof LAYER_CONTENT_FIGURES)[number],
      null
    >),
  }))
  const totalBytes =
    sized && meta.layers.length > 0 ? meta.layers.reduce((sum, layer) => sum + (layer.bytes ?? 0), 0) : meta.size
  return {
    schemaVersion: SCHEMA_VERSION,
    source: meta.source,
    image: {id: meta.id, repoTags: meta.repoTags, os: meta.os, architecture: meta.architecture, created: meta.created},
    summary: {
      layers: layers.length,
      totalBytes,
      finalBytes: null,
      finalFiles: null,
      wastedBytes: null,
      wastedFiles: null,
      wastedPercent: null,
      dive: null,
    },
    layers,
    topWasted: [],
    advice: [],
    unavailable: [
      ...(sized ? [] : ['layers.bytes']),
      ...LAYER_CONTENT_FIGURES.map((name) => `layers.${name}`),
      'summary.finalBytes',
      'summary.finalFiles',
      'summary.wastedBytes',
      'summary.wastedFiles',
      'summary.wastedPercent',
      'summary.dive',
      'topWasted',
      'advice',
    ],
    approximate: meta.approximate,
  }
}

/**
 * Everything `analyze` reports, computed from the shared model: one function per figure, one result. The waste (with
 * duplicates when `duplicates`: the layers must be hashed) and the advice read the same union filesystem.
 */
export function analyzeImage(image: Image, top = 10, options: {duplicates?: boolean} = {}): AnalyzeReport {
  const history = layerHistory(image.config, image.layers.length)
  const layers = image.layers.map(({contents, diffId}, index) => ({
    index,
    digest: diffId ?? null,
    createdBy: history[index]?.created_by ?? null,
    created: history[index]?.created ?? null,
    bytes: contents.bytes,
    entries: contents.entries.length + contents.whiteouts.length + contents.opaques.length,
    added: 0,
    modified: 0,
    removed: 0,
    removedBytes: 0,
    wastedBytes: 0,
  }))
  const fs = new UnionFs(image.notes)
  const whiteoutBytes: number[][] = []
  const observer = {
    entry(layer: number, _entry: LayerEntry, existedBelow: boolean) {
      if (existedBelow) layers[layer].modified++
      else layers[layer].added++
    },
    removed(layer: number, removal: {node: {kind: string; entry?: LayerEntry}}) {
      layers[layer].removed++
      if (removal.node.kind === 'file') layers[layer].removedBytes += removal.node.entry?.size ?? 0
    },
  }
  for (const {contents} of image.layers) {
    whiteoutBytes.push(whiteoutWeights(contents, fs))
    fs.apply(contents, observer)
  }
  const wasted: Content[] = []
  let finalBytes = 0
  for (const [index, contents] of fs.contents.entries()) {
    for (const content of contents) {
      if (content.refs > 0) {
        finalBytes += content.entry.size
      } else {
        layers[index].wastedBytes += content.entry.size
        wasted.push(content)
      }
    }
  }
  let finalFiles = 0
  for (const [, node] of fs.walk()) if (node.kind === 'file' || node.kind === 'hardlink') finalFiles++
  const totalBytes = layers.reduce((sum, layer) => sum + layer.bytes, 0)
  wasted.sort((a, b) => b.entry.size - a.entry.size || a.layer - b.layer || (a.entry.path < b.entry.path ? -1 : 1))
  const waste = findWaste(image, {duplicates: options.duplicates, fs})
  return {
    schemaVersion: SCHEMA_VERSION,
    source: image.source,
    image: describeImage(image),
    summary: {
      layers: layers.length,
      totalBytes,
      finalBytes,
      finalFiles,
      wastedBytes: totalBytes - finalBytes,
      wastedFiles: wasted.length,
      wastedPercent: totalBytes === 0 ? 0 : ((totalBytes - finalBytes) / totalBytes) * 100,
      dive: diveSummary(
        image.layers.map(({contents}) => contents),
        whiteoutBytes,
      ),
    },
    layers,
    topWasted: wasted.slice(0, top).map((content) => ({
      path: containerPath(content.entry.path),
      bytes: content.entry.size,
      layer: content.layer,
      hiddenBy: content.hiddenBy,
      how: content.how as HideReason,
    })),
    advice: adviseImage(image, waste, fs),
    ...(waste.duplicates ? {duplicates: waste.duplicates} : {}),
  }
}
