// The page's trees, from the nested arrays of the page data into objects the views walk.
import type {Change} from '../../../analysis/files.js'
import type {DirNode, TreeNode} from '../page-data.js'

export interface Entry {
  name: string
  path: string
  bytes: number
  /** The layer that wrote it (final filesystem, folded entries), or -1. */
  layer: number
  change?: Change
  children?: Entry[]
  /** Folded: this many entries, each smaller than the page's threshold. */
  folded?: number
  parent?: Entry
}

/** Objects for a tree of the page data; a directory's bytes are its entries' sum. */
export function readTree(root: DirNode): Entry {
  const read = (node: TreeNode, parent: Entry): Entry => {
    if (typeof node[0] === 'number') {
      const [entries, size, layer] = node as [number, number, number?]
      return {
        name: `${entries.toLocaleString('en')} smaller entries`,
        path: parent.path,
        bytes: size,
        layer: layer ?? -1,
        folded: entries,
        parent,
      }
    }
    const name = node[0] as string
    const path = parent.path === '/' ? `/${name}` : `${parent.path}/${name}`
    if (Array.isArray(node[1])) {
      const entry: Entry = {name, path, bytes: 0, layer: -1, change: (node as DirNode)[2], children: [], parent}
      adopt(entry, node[1])
      return entry
    }
    const mark = node[2] as number | Change
    return typeof mark === 'number'
      ? {name, path, bytes: node[1] as number, layer: mark, parent}
      : {name, path, bytes: node[1] as number, layer: -1, change: mark, parent}
  }
  const adopt = (entry: Entry, nodes: TreeNode[]) => {
    for (const node of nodes) {
      const child = read(node, entry)
      entry.bytes += child.bytes
      entry.children!.push(child)
    }
  }
  const top: Entry = {name: '/', path: '/', bytes: 0, layer: -1, children: []}
  adopt(top, root[1])
  return top
}
