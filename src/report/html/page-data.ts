import type {AnalyzeReport} from '../../analysis/analyze.js'
import type {Change, FileChange} from '../../analysis/files.js'
import type {DuplicateGroup, WasteReport} from '../../analysis/waste.js'
import type {ImageCheck} from '../../check/rules.js'
import type {HideReason} from '../../model/union-fs.js'

// What the HTML page shows, as the JSON its script reads. Trees are nested arrays, not objects, to keep a page of a
// 100k-entry image small; above a size budget the smallest entries of each directory fold into one node.

/** A file: its name, bytes, and mark: the layer that wrote it (the final filesystem) or its change (a layer's). */
export type FileNode = [name: string, bytes: number, mark: number | Change]
/** A directory and its children; in a layer's changes, the change the layer made to the directory itself. */
export type DirNode = [name: string, children: TreeNode[], mark?: Change]
/** Entries folded into one because each is smaller than the page's threshold: how many, their bytes, and (the final
 * filesystem) the layer that wrote the largest of them. */
export type FoldNode = [entries: number, bytes: number, layer?: number]
export type TreeNode = FileNode | DirNode | FoldNode

/** The waste one layer stores and a later one hides. */
export interface WasteGroup {
  layer: number
  hiddenBy: number
  bytes: number
  files: number
  /** Bytes by how they were hidden. */
  how: Partial<Record<HideReason, number>>
  /** The largest of its paths (at most SHOWN_WASTE). */
  paths: Array<{path: string; bytes: number; how: HideReason}>
}

export interface PageData {
  /** The analyze report (`--format json`), without its duplicates (below). */
  report: Omit<AnalyzeReport, 'duplicates'>
  waste: WasteGroup[]
  /** With --duplicates: the largest groups (at most SHOWN_DUPLICATES, each with at most SHOWN_COPIES copies). */
  duplicates: {groups: Array<DuplicateGroup & {copyCount: number}>; count: number; costBytes: number} | null
  /** The verdicts of `check` when a configuration is in force. */
  check: {config: string; result: ImageCheck} | null
  /** The final filesystem's regular files (each hardlinked content once), marked with the layer that wrote them. */
  final: DirNode
  /** Each layer's changes. */
  changes: DirNode[]
  /** Entries smaller than this many bytes are folded (null: nothing is). */
  foldedBelow: {final: number | null; changes: number | null}
}

export const SHOWN_WASTE = 20
export const SHOWN_DUPLICATES = 50
export const SHOWN_COPIES = 10
/** The JSON characters each kind of tree may take: two trees of 1.5 MB keep a page well under 5 MB. */
export const TREE_BUDGET = 1_500_000

interface Draft {
  name: string
  bytes: number
  mark?: number | Change
  children?: Map<string, Draft>
  /** Entries in the subtree, itself included. */
  entries: number
  /** The layer of the largest file in the subtree, and its bytes. */
  topLayer: number
  topBytes: number
}

function draftDir(name: string): Draft {
  return {name, bytes: 0, children: new Map(), entries: 1, topLayer: -1, topBytes: -1}
}

/** Adds an entry at `path` (a directory when `dir`), creating its parents. */
function addEntry(root: Draft, path: string, bytes: number, mark: number | Change, dir: boolean, layer: number): void {
  const names = path.split('/')
  let node = root
  for (const [index, name] of names.entries()) {
    node.children ??= new Map()
    let child = node.children.get(name)
    const last = index === names.length - 1
    if (!child) {
      child = last && !dir ? {name, bytes: 0, entries: 1, topLayer: -1, topBytes: -1} : draftDir(name)
      node.children.set(name, child)
    }
    if (last) {
      child.mark = mark
      if (dir) child.children ??= new Map()
      child.bytes += bytes
      if (bytes > child.topBytes) [child.topBytes, child.topLayer] = [bytes, layer]
    }
    node = child
  }
}

/** Sums bytes, entries and the largest file into every directory, bottom up. */
function total(node: Draft): void {
  if (!node.children) return
  for (const child of node.children.values()) {
    total(child)
    node.bytes += child.bytes
    node.entries += child.entries
    if (child.topBytes > node.topBytes) [node.topBytes, node.topLayer] = [child.topBytes, child.topLayer]
  }
}

/** The JSON characters a node takes, about: its name, its numbers and the punctuation. */
const cost = (node: Draft) => node.name.length + 16

/**
 * The byte threshold below which entries fold so that the trees fit `budget` characters: null when they fit whole.
 * A directory holds at least its children's bytes, so the entries kept (bytes above the threshold) form a tree.
 */
function foldThreshold(roots: Draft[], budget: number): number | null {
  const nodes: Draft[] = []
  const collect = (node: Draft) => {
    for (const child of node.children?.values() ?? []) {
      nodes.push(child)
      collect(child)
    }
  }
  for (const root of roots) collect(root)
  let used = nodes.reduce((sum, node) => sum + cost(node), 0)
  if (used <= budget) return null
  nodes.sort((a, b) => b.bytes - a.bytes)
  used = 0
  // a fold node per directory may follow: keep a fifth of the budget for them
  for (const node of nodes) {
    used += cost(node)
    if (used > budget * 0.8) return node.bytes
  }
  return null
}

function emit(node: Draft, threshold: number | null, finalTree: boolean): TreeNode {
  if (!node.children) return [node.name, node.bytes, node.mark ?? -1]
  const children: TreeNode[] = []
  const folded = {entries: 0, bytes: 0, topBytes: -1, topLayer: -1}
  for (const child of node.children.values()) {
    if (threshold === null || child.bytes > threshold) children.push(emit(child, threshold, finalTree))
    else {
      folded.entries += child.entries
      folded.bytes += child.bytes
      if (child.topBytes > folded.topBytes) [folded.topBytes, folded.topLayer] = [child.topBytes, child.topLayer]
    }
  }
  if (folded.entries > 0)
    children.push(finalTree ? [folded.entries, folded.bytes, folded.topLayer] : [folded.entries, folded.bytes])
  const dir: DirNode = [node.name, children]
  if (typeof node.mark === 'string') dir.push(node.mark)
  return dir
}

function duplicatesOf(groups: DuplicateGroup[] | undefined): PageData['duplicates'] {
  if (!groups) return null
  return {
    groups: groups.slice(0, SHOWN_DUPLICATES).map((group) => ({
      ...group,
      copies: group.copies.slice(0, SHOWN_COPIES),
      copyCount: group.copies.length,
    })),
    count: groups.length,
    costBytes: groups.reduce((sum, group) => sum + group.costBytes, 0),
  }
}

function wasteGroups(waste: WasteReport): WasteGroup[] {
  const groups = new Map<string, WasteGroup>()
  // records come by layer, then hiding layer, then largest first
  for (const record of waste.waste) {
    const key = `${record.layer} ${record.hiddenBy}`
    let group = groups.get(key)
    if (!group) {
      group = {layer: record.layer, hiddenBy: record.hiddenBy, bytes: 0, files: 0, how: {}, paths: []}
      groups.set(key, group)
    }
    group.bytes += record.bytes
    group.files++
    group.how[record.how] = (group.how[record.how] ?? 0) + record.bytes
    if (group.paths.length < SHOWN_WASTE) group.paths.push({path: record.path, bytes: record.bytes, how: record.how})
  }
  return [...groups.values()]
}

/** What the page shows: the analysis results it is drawn from. */
export interface PageInput {
  report: AnalyzeReport
  waste: WasteReport
  /** Each layer's changes. */
  changes: FileChange[][]
  /** The final filesystem's regular files (each content once) and the layer that wrote each. */
  finalFiles: Array<readonly [path: string, bytes: number, layer: number]>
  /** check's verdicts, when a configuration is in force. */
  check: {config: string; result: ImageCheck} | null
}

/** The page's data from the analysis results: the report, the waste, each layer's changes and the final files. */
export function pageData(results: PageInput): PageData {
  const {duplicates, ...report} = results.report
  const finalRoot = draftDir('')
  for (const [path, bytes, layer] of results.finalFiles) addEntry(finalRoot, path, bytes, layer, false, layer)
  total(finalRoot)
  const layerRoots = results.changes.map((changes) => {
    const root = draftDir('')
    for (const change of changes)
      addEntry(root, change.path.slice(1), change.bytes, change.change, change.type === 'dir', change.layer)
    total(root)
    return root
  })
  const finalBelow = foldThreshold([finalRoot], TREE_BUDGET)
  const changesBelow = foldThreshold(layerRoots, TREE_BUDGET)
  return {
    report,
    waste: wasteGroups(results.waste),
    duplicates: duplicatesOf(duplicates),
    check: results.check,
    final: emit(finalRoot, finalBelow, true) as DirNode,
    changes: layerRoots.map((root) => emit(root, changesBelow, false) as DirNode),
    foldedBelow: {final: finalBelow, changes: changesBelow},
  }
}
