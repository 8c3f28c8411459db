import type {LayerContents} from '../model/entry.js'
import type {ByteReader} from '../tar/byte-reader.js'

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

export type SourceKind =
  'daemon' | 'docker-archive' | 'oci-layout' | 'oci-archive' | 'dir' | 'docker-export' | 'registry'

/** Where an image came from, as the report names it. */
export interface SourceInfo {
  kind: SourceKind
  /** The path, `-` for stdin, or the image reference. */
  name: string
  /**
   * Layout of the archive: legacy `docker save`, OCI (Docker 25+ or a plain layout), a `dir:` copy, a flat export,
   * the engine's own layer store or containerd's content store for an engine that keeps images there (both read
   * without `docker save`); for a registry, the manifest's kind: OCI or Docker
   * schema 2.
   */
  format?:
    'docker-legacy' | 'docker-oci' | 'oci' | 'dir' | 'export' | 'engine-store' | 'containerd-store' | 'docker-schema2'
}

/** One layer of an image: the entries the model reads and, where the source can, its stored blob. */
export interface Layer {
  /** Its place in the image, from the bottom (0). */
  readonly index: number
  /** The uncompressed digest: the config's `rootfs.diff_ids` entry; undefined for a flat export (no config). */
  readonly diffId?: string
  /** The layer's tar, parsed: entries in tar order, whiteouts and opaque markers apart. */
  readonly contents: LayerContents
  /**
   * The blob as stored (compressed or not) and its length, for commands that copy or re-read bytes. Present on
   * images opened with random access (see `openImage`); a stream read once has none.
   */
  readonly blob?: () => Promise<{reader: ByteReader; size: number}>
  /** The blob's descriptor, where the source's manifest gives one (a registry's): what a push can skip or mount. */
  readonly descriptor?: {mediaType: string; digest: string; size: number}
}

/**
 * The one shape every source yields: identity, config and the ordered layers, each parsed into the entries the
 * layer model reads. `close` releases what the source holds open (files, a temporary spool).
 */
export interface Image {
  readonly source: SourceInfo
  /** The config digest (`sha256:…`), or undefined for a flat export. */
  readonly id?: string
  readonly repoTags: string[]
  readonly config: ImageConfig
  readonly layers: Layer[]
  /** Things the user should know (other images in the archive, skipped platforms). */
  readonly notes: string[]
  close(): Promise<void>
}

/** The history entries that created layers, one per layer, with empty_layer entries skipped. */
export function layerHistory(config: ImageConfig, layerCount: number): Array<HistoryEntry | undefined> {
  const history = (config.history ?? []).filter((entry) => !entry.empty_layer)
  return Array.from({length: layerCount}, (_, index) => history[index])
}
