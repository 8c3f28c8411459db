import {type LayerEntry} from '../model/entry.js'
import {type Content, type HideReason, UnionFs} from '../model/union-fs.js'
import {type Image, layerHistory} from '../sources/image.js'
import {type DiveFigures, DiveEfficiency} from './dive.js'

export const SCHEMA_VERSION = 1

export interface LayerFigures {
  index: number
  digest: string | null
  createdBy: string | null
  created: string | null
  bytes: number
  entries: number
  added: number
  modified: number
  removed: number
  removedBytes: number
  wastedBytes: number
}

export interface WastedPath {
  path: string
  bytes: number
  layer: number
  removedBy: number
  how: HideReason
}

export interface Summary {
  layers: number
  totalBytes: number
  finalBytes: number
  finalFiles: number
  wastedBytes: number
  wastedPercent: number
  dive: Omit<DiveFigures, 'inefficientPaths'>
}

export interface AnalyzeReport {
  schemaVersion: typeof SCHEMA_VERSION
  source: Image['source']
  image: {id: string | null; repoTags: string[]; os: string | null; architecture: string | null; created: string | null}
  summary: Summary
  layers: LayerFigures[]
  topWasted: WastedPath[]
}

/** Everything `analyze` reports, computed from the shared model: one function per figure, one result. */
export function analyzeImage(image: Image, top = 10): AnalyzeReport {
  const history = layerHistory(image.config, image.contents.length)
  const diffIds = image.config.rootfs?.diff_ids ?? []
  const layers: LayerFigures[] = image.contents.map((contents, index) => ({
    index,
    digest: image.layers[index]?.diffId ?? diffIds[index] ?? null,
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
  const fs = new UnionFs()
  const dive = new DiveEfficiency()
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
  for (const contents of image.contents) {
    dive.observe(contents, fs)
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
  const {inefficientPaths: _ignored, ...diveFigures} = dive.result()
  wasted.sort((a, b) => b.entry.size - a.entry.size || a.layer - b.layer || (a.entry.path < b.entry.path ? -1 : 1))
  return {
    schemaVersion: SCHEMA_VERSION,
    source: image.source,
    image: {
      id: image.id ?? null,
      repoTags: image.repoTags,
      os: image.config.os ?? null,
      architecture: image.config.architecture ?? null,
      created: image.config.created ?? null,
    },
    summary: {
      layers: layers.length,
      totalBytes,
      finalBytes,
      finalFiles,
      wastedBytes: totalBytes - finalBytes,
      wastedPercent: totalBytes === 0 ? 0 : ((totalBytes - finalBytes) / totalBytes) * 100,
      dive: diveFigures,
    },
    layers,
    topWasted: wasted.slice(0, top).map((content) => ({
      path: content.entry.path,
      bytes: content.entry.size,
      layer: content.layer,
      removedBy: content.hiddenBy,
      how: content.how as HideReason,
    })),
  }
}
