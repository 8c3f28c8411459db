import type {Image, SourceInfo} from '../image/image.js'
import {containerPath} from '../model/entry.js'
import {describeImage, type ImageIdentity, SCHEMA_VERSION} from './identity.js'
import type {ByteDelta, Bytes, Count} from './figures.js'
import {type DirTotal, directoryTotals} from './files.js'
import {type FinalEntry, finalFiles, finalFs, finalPairs} from './final-fs.js'

/** What differs between two versions of a path. */
export type DiffField = 'type' | 'bytes' | 'mode' | 'owner' | 'linkTarget' | 'content'

export interface FileDiff {
  /** absolute, as a container sees it */
  path: string
  change: 'added' | 'removed' | 'changed'
  before: FinalEntry | null
  after: FinalEntry | null
  /** For `changed`: which of type, bytes, mode, owner, linkTarget, content differ. */
  fields: DiffField[]
}

export interface DirectoryDelta {
  /** absolute; `/` is the root */
  path: string
  before: Bytes
  after: Bytes
  delta: ByteDelta
}

export interface ConfigDiff {
  key: string
  before: unknown
  after: unknown
}

/** One of the two images compared. */
export interface DiffSide {
  source: SourceInfo
  image: ImageIdentity
}

/**
 * `diff A B --format json`.
 * @title docker-layers diff report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/diff.json
 */
export interface DiffReport {
  schemaVersion: typeof SCHEMA_VERSION
  a: DiffSide
  b: DiffSide
  sharedLayers: {digests: string[]; commonBase: Count; layersA: Count; layersB: Count}
  files: FileDiff[]
  directories: DirectoryDelta[]
  config: ConfigDiff[]
  summary: {added: Count; removed: Count; changed: Count; bytesA: Bytes; bytesB: Bytes; deltaBytes: ByteDelta}
}

export const CONFIG_KEYS = [
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Volumes',
  'Labels',
  'Healthcheck',
  'StopSignal',
  'Shell',
  'OnBuild',
]

function changedFields(a: FinalEntry, b: FinalEntry, content: boolean): DiffField[] {
  const fields: DiffField[] = []
  if (a.type !== b.type) fields.push('type')
  if (a.bytes !== b.bytes) fields.push('bytes')
  if (a.mode !== b.mode) fields.push('mode')
  if (a.uid !== b.uid || a.gid !== b.gid) fields.push('owner')
  if (a.linkTarget !== b.linkTarget) fields.push('linkTarget')
  if (content && a.type === 'file' && b.type === 'file' && a.digest !== b.digest) fields.push('content')
  return fields
}

function configOf(image: Image): Record<string, unknown> {
  return (image.config.config ?? {}) as Record<string, unknown>
}

function same(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0) ||
    v === ''
  if (empty(a) && empty(b)) return true
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * What changed from image A to image B: the layers they share, the final filesystems' differences
 * (what lower layers added and deleted again is no difference), directory size deltas and config.
 */
export function diffImages(a: Image, b: Image, options: {content?: boolean; depth?: number} = {}): DiffReport {
  const idsA = a.layers.map((layer) => layer.diffId ?? '')
  const idsB = b.layers.map((layer) => layer.diffId ?? '')
  let commonBase = 0
  while (
    commonBase < idsA.length &&
    commonBase < idsB.length &&
    idsA[commonBase] !== '' &&
    idsA[commonBase] === idsB[commonBase]
  )
    commonBase++
  const inB = new Set(idsB)
  const shared = [...new Set(idsA.filter((id) => id !== '' && inB.has(id)))]

  const fsA = finalFs(a)
  const fsB = finalFs(b)
  const diffs: FileDiff[] = []
  for (const {path, a: before, b: after} of finalPairs(fsA, fsB)) {
    if (path === '') continue // `/` is no file of the diff
    const shown = containerPath(path)
    if (!after) diffs.push({path: shown, change: 'removed', before, after: null, fields: []})
    else if (!before) diffs.push({path: shown, change: 'added', before: null, after, fields: []})
    else {
      const fields = changedFields(before, after, options.content ?? false)
      if (fields.length > 0) diffs.push({path: shown, change: 'changed', before, after, fields})
    }
  }
  const filesA = finalFiles(fsA)
  const filesB = finalFiles(fsB)
  diffs.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))

  const depth = options.depth ?? 3
  const totalsA = new Map(directoryTotals(filesA, depth).map((t): [string, DirTotal] => [t.path, t]))
  const totalsB = new Map(directoryTotals(filesB, depth).map((t): [string, DirTotal] => [t.path, t]))
  const directories: DirectoryDelta[] = []
  for (const path of new Set([...totalsA.keys(), ...totalsB.keys()])) {
    const x = totalsA.get(path)?.bytes ?? 0
    const y = totalsB.get(path)?.bytes ?? 0
    if (x !== y) directories.push({path, before: x, after: y, delta: y - x})
  }
  directories.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.path < y.path ? -1 : 1))

  const configA = configOf(a)
  const configB = configOf(b)
  const config = CONFIG_KEYS.filter((key) => !same(configA[key], configB[key])).map((key) => ({
    key,
    before: configA[key] ?? null,
    after: configB[key] ?? null,
  }))

  const bytesA = totalsA.get('/')?.bytes ?? 0
  const bytesB = totalsB.get('/')?.bytes ?? 0
  return {
    schemaVersion: SCHEMA_VERSION,
    a: {source: a.source, image: describeImage(a)},
    b: {source: b.source, image: describeImage(b)},
    sharedLayers: {digests: shared, commonBase, layersA: idsA.length, layersB: idsB.length},
    files: diffs,
    directories,
    config,
    summary: {
      added: diffs.filter((d) => d.change === 'added').length,
      removed: diffs.filter((d) => d.change === 'removed').length,
      changed: diffs.filter((d) => d.change === 'changed').length,
      bytesA,
      bytesB,
      deltaBytes: bytesB - bytesA,
    },
  }
}
