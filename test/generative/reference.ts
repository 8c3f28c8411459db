// A deliberately simple reference model of layer stacking, independent of src/model: a flat map from
// path to what is there, rebuilt with string prefixes. Slow, obvious, and only for tests.
import type {Member} from '../helpers/tar.js'

export interface RefNode {
  kind: 'file' | 'dir' | 'symlink' | 'hardlink'
  size: number
  /** One id per regular-file entry; hardlinks take their target's. */
  content: number | undefined
  layer: number
}

export interface RefFigures {
  layers: Array<{
    bytes: number
    added: number
    modified: number
    removed: number
    removedBytes: number
    wastedBytes: number
  }>
  totalBytes: number
  finalBytes: number
  finalFiles: number
  final: Map<string, RefNode>
  /** Bytes of each content id. */
  contentSize: Map<number, number>
}

const norm = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '')
const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')
const under = (p: string, dir: string) => dir === '' || p.startsWith(`${dir}/`)

export function referenceFigures(layers: Member[][]): RefFigures {
  const fs = new Map<string, RefNode>()
  const contentSize = new Map<number, number>()
  const contentLayer = new Map<number, number>()
  let nextContent = 0
  const figures: RefFigures['layers'] = []
  for (const [index, members] of layers.entries()) {
    const before = new Map(fs)
    const stats = {bytes: 0, added: 0, modified: 0, removed: 0, removedBytes: 0, wastedBytes: 0}
    // implied parents replace whatever non-directory is in their way
    const implyParents = (path: string) => {
      const parts = path.split('/')
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/')
        const there = fs.get(dir)
        if (!there || there.kind !== 'dir') fs.set(dir, {kind: 'dir', size: 0, content: undefined, layer: index})
      }
    }
    // whiteouts and opaque markers first: they hide only what is below, and imply their parents
    for (const m of members) {
      const path = norm(m.path)
      const name = path.slice(path.lastIndexOf('/') + 1)
      if (name === '.wh..wh..opq') {
        const dir = parentOf(path)
        for (const key of [...fs.keys()]) if (under(key, dir) && key !== dir) fs.delete(key)
      } else if (name.startsWith('.wh.')) {
        const target = `${parentOf(path) ? `${parentOf(path)}/` : ''}${name.slice(4)}`
        for (const key of [...fs.keys()]) if (key === target || under(key, target)) fs.delete(key)
      }
    }
    for (const m of members) if (norm(m.path).split('/').pop()!.startsWith('.wh.')) implyParents(norm(m.path))
    for (const m of members) {
      const path = norm(m.path)
      const name = path.slice(path.lastIndexOf('/') + 1)
      if (name.startsWith('.wh.')) continue
      const kind = m.type ?? (m.path.endsWith('/') ? 'dir' : 'file')
      if (kind === 'dir' || kind === 'file' || kind === 'symlink' || kind === 'hardlink') {
        if (before.has(path)) stats.modified++
        else stats.added++
      }
      implyParents(path)
      // a hardlink takes its target's content as it is now, before this entry replaces anything
      const linked = kind === 'hardlink' ? fs.get(norm(m.linkpath ?? ''))?.content : undefined
      if (kind !== 'dir') for (const key of [...fs.keys()]) if (under(key, path)) fs.delete(key)
      let content: number | undefined
      let size = 0
      if (kind === 'file') {
        content = nextContent++
        size = m.content === undefined ? (m.size ?? 0) : Buffer.byteLength(m.content)
        contentSize.set(content, size)
        contentLayer.set(content, index)
        stats.bytes += size
      } else if (kind === 'hardlink') {
        content = linked
      }
      fs.set(path, {kind: kind as RefNode['kind'], size, content, layer: index})
    }
    for (const [path, node] of before) {
      if (fs.has(path)) continue
      stats.removed++
      if (node.kind === 'file') stats.removedBytes += node.size
    }
    figures.push(stats)
  }
  const visible = new Set<number>()
  let finalFiles = 0
  for (const node of fs.values()) {
    if (node.content !== undefined) visible.add(node.content)
    if (node.kind === 'file' || node.kind === 'hardlink') finalFiles++
  }
  for (const [content, size] of contentSize)
    if (!visible.has(content)) figures[contentLayer.get(content)!].wastedBytes += size
  const totalBytes = figures.reduce((sum, l) => sum + l.bytes, 0)
  const finalBytes = [...visible].reduce((sum, c) => sum + contentSize.get(c)!, 0)
  return {layers: figures, totalBytes, finalBytes, finalFiles, final: fs, contentSize}
}
