import {shortCommand} from '../image/created-by.js'
import type {Image} from '../image/image.js'
import {containerPath} from '../model/entry.js'
import {buildUnionFs, type UnionFs} from '../model/union-fs.js'
import type {Bytes, Count} from './figures.js'
import {layerCommands} from './files.js'
import {isArchive, isSecret, packageCache, temporaryReason} from './path-kinds.js'
import type {WasteRecord, WasteReport} from './waste.js'

/** A change to the Dockerfile, with the bytes it would save. docs/metrics.md defines each kind's bytes. */
export interface Advice {
  /** the rule that gave it */
  id: string
  /** waste: bytes the image stores but never shows; final: bytes the final filesystem shows but needs not */
  kind: 'waste' | 'final'
  title: string
  bytes: Bytes
  /** the layers involved, bottom first */
  layers: Count[]
  /**
   * the largest paths it concerns, absolute
   * @maxItems 5
   */
  paths: string[]
  fix: string
  /** the hadolint rule it matches, where one exists */
  ref: string | null
}

const SHOWN_PATHS = 5

interface Rule {
  id: string
  ref: string | null
  title: string
  fix: string
}

const isRun = (command: string | null) =>
  command !== null && /^(\/bin\/sh -c |RUN )/.test(command) && !/#\(nop\)/.test(command)
const isCopy = (command: string | null) => command !== null && /^(\/bin\/sh -c #\(nop\) +)?(COPY|ADD)\b/.test(command)

function layerName(index: number, commands: Array<string | null>): string {
  const command = commands[index] ? shortCommand(commands[index]) : null
  return command ? `layer ${index} (${command.length > 60 ? `${command.slice(0, 59)}…` : command})` : `layer ${index}`
}

/** The one rule a waste record falls under: the first that matches, so no byte is explained twice. */
function wasteRule(record: WasteRecord, commands: Array<string | null>): Rule {
  const {path} = record
  const stored = layerName(record.layer, commands)
  const hider = layerName(record.hiddenBy, commands)
  if (isSecret(path))
    return {
      id: 'secret',
      ref: null,
      title: `a secret stored by ${stored} and hidden by ${hider} is still in the image`,
      fix: 'anyone with the image can read it: pass it with RUN --mount=type=secret (or use it in a build stage only), and rotate it',
    }
  const cache = packageCache(path)
  if (cache && record.how !== 'metadata-only')
    return {
      id: `${cache.manager}-cache`,
      ref: cache.ref,
      title: `${cache.manager}'s downloads and indexes stored by ${stored} are removed only by ${hider}`,
      fix: cache.fix,
    }
  if (isArchive(path) && record.how !== 'metadata-only') {
    const copied = isCopy(commands[record.layer] ?? null)
    return {
      id: 'archive',
      ref: copied ? 'DL3010' : null,
      title: `an archive stored by ${stored} is removed only by ${hider}`,
      fix: copied
        ? 'ADD a local tar archive (it is extracted as it is added), or extract it in a build stage and COPY the result'
        : 'download, extract and delete the archive in one RUN, or extract it in a build stage',
    }
  }
  if (record.how === 'metadata-only')
    return {
      id: 'chmod-copy',
      ref: null,
      title: `${hider} copied unchanged files of ${stored} to change their owner or mode`,
      fix: 'set owner and mode where the files are written: COPY --chown=… --chmod=…, or in the RUN that makes them',
    }
  if (record.how === 'overwritten')
    return {
      id: 'overwritten-later',
      ref: null,
      title: `files stored by ${stored} are rewritten by ${hider}`,
      fix: 'write each file once: produce its final version in one step (a build stage can hold the intermediate ones)',
    }
  const consecutiveRuns =
    record.hiddenBy === record.layer + 1 &&
    isRun(commands[record.layer] ?? null) &&
    isRun(commands[record.hiddenBy] ?? null)
  return {
    id: 'deleted-later',
    ref: consecutiveRuns ? 'DL3059' : null,
    title: `files stored by ${stored} are deleted by ${hider}`,
    fix: 'delete them in the RUN that makes them, or build in a stage and COPY only the result',
  }
}

const FINAL_RULES: Record<string, Omit<Rule, 'title'> & {title: string}> = {
  'temporary directory': {
    id: 'tmp-leftovers',
    ref: null,
    title: 'files left in /tmp or /var/tmp',
    fix: 'delete them in the RUN that makes them, or mount a tmpfs there: RUN --mount=type=tmpfs,target=/tmp',
  },
  'tool cache': {
    id: 'tool-cache',
    ref: null,
    title: 'tool caches (~/.cache, ~/.npm, node_modules/.cache, …) in the final image',
    fix: 'clean the cache in the RUN that fills it, or keep it out of the image with RUN --mount=type=cache',
  },
  'Python bytecode': {
    id: 'python-bytecode',
    ref: null,
    title: 'Python bytecode (__pycache__, .pyc) in the final image',
    fix: 'ENV PYTHONDONTWRITEBYTECODE=1 before installing; for copied sources, **/__pycache__ and *.pyc in .dockerignore',
  },
  'build directory': {
    id: 'build-leftovers',
    ref: null,
    title: 'build directories in the final image',
    fix: 'build in a stage and COPY only the artifacts into the final one (a multi-stage build)',
  },
}

interface Group {
  rule: Rule
  kind: Advice['kind']
  bytes: number
  layers: Set<number>
  paths: Array<[string, number]>
}

function add(
  groups: Map<string, Group>,
  key: string,
  rule: Rule,
  kind: Advice['kind'],
  path: string,
  bytes: number,
  layers: number[],
) {
  let group = groups.get(key)
  if (!group) {
    group = {rule, kind, bytes: 0, layers: new Set(), paths: []}
    groups.set(key, group)
  }
  group.bytes += bytes
  for (const layer of layers) group.layers.add(layer)
  group.paths.push([path, bytes])
}

/**
 * Turns waste records and the final filesystem into Dockerfile changes: secrets first, then the largest saving. Each
 * waste record counts toward exactly one item (the last rule takes whatever the others leave), so the waste items'
 * bytes add up to the wasted bytes; the final items count each visible content once; duplicates (with hashed
 * layers) count only the visible copies beyond the first. `fs` is the image's union filesystem when the caller has
 * built it already (a million entries take hundreds of MB: analyze builds it once).
 */
export function adviseImage(
  image: Image,
  waste: WasteReport,
  fs: UnionFs = buildUnionFs(image.layers.map((layer) => layer.contents)),
): Advice[] {
  const commands = layerCommands(image)
  const groups = new Map<string, Group>()
  for (const record of waste.waste) {
    if (record.bytes === 0) continue
    const rule = wasteRule(record, commands)
    add(groups, `${rule.id} ${record.layer} ${record.hiddenBy}`, rule, 'waste', record.path, record.bytes, [
      record.layer,
      record.hiddenBy,
    ])
  }
  for (const content of fs.contents.flat()) {
    if (content.refs === 0 || content.entry.size === 0) continue
    const path = containerPath(content.entry.path)
    const cache = packageCache(path)
    const reason = temporaryReason(path)
    if (cache) {
      const rule = {
        id: `${cache.manager}-cache-kept`,
        ref: cache.ref,
        title: `${cache.manager}'s downloads and indexes in the final image`,
        fix: cache.fix,
      }
      add(groups, rule.id, rule, 'final', path, content.entry.size, [content.layer])
    } else if (reason && FINAL_RULES[reason]) {
      add(groups, FINAL_RULES[reason].id, FINAL_RULES[reason], 'final', path, content.entry.size, [content.layer])
    }
  }
  for (const duplicate of waste.duplicates ?? []) {
    const visible = duplicate.copies.filter((copy) => copy.visible)
    if (visible.length < 2) continue
    const rule = {
      id: 'duplicate-content',
      ref: null,
      title: `the same ${duplicate.bytes}-byte content is shown at ${visible.length} paths`,
      fix: 'store it once: COPY it once and link to it, or find which steps write the same file',
    }
    for (const copy of visible.slice(1))
      add(groups, `${rule.id} ${duplicate.digest}`, rule, 'final', copy.path, duplicate.bytes, [copy.layer])
  }
  return (
    [...groups.values()]
      .map((group): Advice => {
        const paths = [...group.paths].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        return {
          id: group.rule.id,
          kind: group.kind,
          title: group.rule.title,
          bytes: group.bytes,
          layers: [...group.layers].sort((a, b) => a - b),
          paths: paths.slice(0, SHOWN_PATHS).map(([path]) => path),
          fix: group.rule.fix,
          ref: group.rule.ref,
        }
      })
      // a secret still in the image comes first whatever its size; then the largest saving
      .sort(
        (a, b) => Number(b.id === 'secret') - Number(a.id === 'secret') || b.bytes - a.bytes || (a.id < b.id ? -1 : 1),
      )
  )
}
