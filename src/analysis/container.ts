import type {ContainerChange, ContainerInfo, PathStat} from '../image/container.js'
import type {Image} from '../image/image.js'
import {SCHEMA_VERSION} from './identity.js'
import type {Bytes, Count} from './figures.js'
import {type FinalEntry, finalSnapshot} from './final-fs.js'
import {temporaryReason} from './path-kinds.js'

export interface ContainerChangeReport {
  change: ContainerChange['kind']
  path: string
  type: PathStat['type'] | null
  /** Bytes the commit layer would store for this path (regular files added or changed). */
  bytes: Bytes
  /** Bytes of the image this change shadows or deletes: waste the commit would add. */
  shadowedBytes: Bytes
  /** Why the path looks like a temporary artifact, or null. */
  temporary: string | null
}

/**
 * `container CONTAINER --format json`.
 * @title docker-layers container report
 * @id https://github.com/docker-layers/docker-layers/docs/schemas/container.json
 */
export interface ContainerReport {
  schemaVersion: typeof SCHEMA_VERSION
  container: {id: string; name: string; image: string; imageId: string; state: string}
  changes: ContainerChangeReport[]
  summary: {
    added: Count
    changed: Count
    deleted: Count
    commitBytes: Bytes
    commitFiles: Count
    shadowedBytes: Bytes
    temporaryBytes: Bytes
    temporaryFiles: Count
  }
}

/** Files the runtime injects into every container: not the user's changes. */
export const RUNTIME_PATHS = [
  '/.dockerenv',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/dev/console',
  '/dev',
  '/proc',
  '/sys',
]

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`)
}

/**
 * Drops what the runtime made rather than the user: injected files, mount points, and directories
 * created only to hold a mount point.
 */
export function userChanges(changes: ContainerChange[], mountPoints: string[]): ContainerChange[] {
  const excluded = [...RUNTIME_PATHS, ...mountPoints]
  const isExcluded = (path: string) => excluded.some((dir) => under(path, dir))
  const kept = changes.filter((c) => !isExcluded(c.path))
  // Deepest first: an added directory on the way to a mount point goes when all it holds has gone.
  const dropped = new Set<ContainerChange>()
  for (const c of [...kept].sort((x, y) => y.path.split('/').length - x.path.split('/').length)) {
    if (c.kind !== 'A' || !mountPoints.some((mount) => mount !== c.path && under(mount, c.path))) continue
    if (kept.every((other) => other === c || !under(other.path, c.path) || dropped.has(other))) dropped.add(c)
  }
  return kept.filter((c) => !dropped.has(c))
}

/**
 * Sizes a container's changes (the user's, see userChanges): the commit layer's bytes, the image bytes each change
 * shadows or deletes, and which paths look temporary. `image` is the container's image.
 */
export async function containerReport(info: ContainerInfo, image: Image): Promise<ContainerReport> {
  const changes = userChanges(info.changes, info.mountPoints)
  const stats = await info.stat(changes.filter((c) => c.kind !== 'D').map((c) => c.path))
  const {entries, files} = finalSnapshot(image)
  return {
    schemaVersion: SCHEMA_VERSION,
    container: {id: info.id, name: info.name, image: info.imageRef, imageId: info.image, state: info.state},
    ...sizeChanges(changes, stats, entries, files),
  }
}

function sizeChanges(
  changes: ContainerChange[],
  stats: Map<string, PathStat>,
  image: Map<string, FinalEntry>,
  imageFiles: Array<[path: string, bytes: number, layer: number]>,
): Pick<ContainerReport, 'changes' | 'summary'> {
  // under a directory, each content once (a file and its hardlinks store their bytes once), as directory totals
  // count it: under the first of its paths in path order
  const imageBytesUnder = (path: string): number => {
    const key = path.replace(/^\/+/, '')
    let bytes = image.get(key)?.type === 'file' ? (image.get(key)?.bytes ?? 0) : 0
    if (image.get(key)?.type === 'dir') for (const [p, size] of imageFiles) if (p.startsWith(`${key}/`)) bytes += size
    return bytes
  }
  const rows = changes.map((c): ContainerChangeReport => {
    const stat = stats.get(c.path)
    const bytes = c.kind !== 'D' && stat?.type === 'file' ? stat.size : 0
    const shadowedBytes =
      c.kind === 'D' ? imageBytesUnder(c.path) : c.kind === 'C' && stat?.type !== 'dir' ? imageBytesUnder(c.path) : 0
    return {
      change: c.kind,
      path: c.path,
      type: stat?.type ?? null,
      bytes,
      shadowedBytes,
      temporary: c.kind === 'D' ? null : temporaryReason(c.path),
    }
  })
  const files = rows.filter((r) => r.change !== 'D' && r.type === 'file')
  const temporary = files.filter((r) => r.temporary)
  return {
    changes: rows,
    summary: {
      added: rows.filter((r) => r.change === 'A').length,
      changed: rows.filter((r) => r.change === 'C').length,
      deleted: rows.filter((r) => r.change === 'D').length,
      commitBytes: files.reduce((sum, r) => sum + r.bytes, 0),
      commitFiles: files.length,
      shadowedBytes: rows.reduce((sum, r) => sum + r.shadowedBytes, 0),
      temporaryBytes: temporary.reduce((sum, r) => sum + r.bytes, 0),
      temporaryFiles: temporary.length,
    },
  }
}
