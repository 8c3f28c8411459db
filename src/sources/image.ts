import type {LayerContents} from '../model/entry.js'

/** The parts of an OCI/Docker image config this tool reads. */
export interface ImageConfig {
  architecture?: string
  os?: string
  variant?: string
  created?: string
  config?: Record<string, unknown>
  rootfs?: {type?: string; diff_ids?: string[]}
  history?: HistoryEntry[]
}

export interface HistoryEntry {
  created?: string
  created_by?: string
  comment?: string
  author?: string
  empty_layer?: boolean
}

export type SourceKind = 'daemon' | 'docker-archive' | 'oci-layout' | 'oci-archive' | 'dir' | 'docker-export'

/** Where an image came from, as the report names it. */
export interface SourceInfo {
  kind: SourceKind
  /** The path, `-` for stdin, or the image reference. */
  name: string
  /** Layout of the archive: legacy `docker save`, OCI (Docker 25+ or a plain layout), or a flat export. */
  format?: 'docker-legacy' | 'docker-oci' | 'oci' | 'dir' | 'export'
}

/** One layer as the source describes it, before its tar is read. */
export interface LayerRef {
  /** The uncompressed digest (diff_id) when the config gives one. */
  diffId?: string
  /** Where the blob lives inside the archive or layout. */
  location: string
}

/**
 * The one shape every source yields: config, identity and the ordered layers, each parsed into the
 * entries the layer model reads.
 */
export interface Image {
  source: SourceInfo
  /** The config digest (`sha256:…`), or undefined for a flat export. */
  id?: string
  repoTags: string[]
  config: ImageConfig
  layers: LayerRef[]
  contents: LayerContents[]
  /** Things the user should know (other images in the archive, skipped platforms). */
  notes: string[]
}

/** The history entries that created layers, one per layer, with empty_layer entries skipped. */
export function layerHistory(config: ImageConfig, layerCount: number): Array<HistoryEntry | undefined> {
  const history = (config.history ?? []).filter((entry) => !entry.empty_layer)
  return Array.from({length: layerCount}, (_, index) => history[index])
}
