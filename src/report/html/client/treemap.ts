// The final filesystem as a zoomable treemap: area = bytes, colour = the layer that last wrote the file. Hover names
// the path, bytes and layer; a click zooms into the directory under the pointer; the breadcrumb zooms back out.
import {hierarchy, type HierarchyNode, type HierarchyRectangularNode, treemap} from 'd3-hierarchy'

import {h, humanSize, layerColour, svg} from './dom.js'
import type {Entry} from './tree.js'

const WIDTH = 1200
const HEIGHT = 640
/** Directory levels drawn below the one in view. */
const DEPTH = 6
/**
 * Cells narrower than this (in px of the view box) are not drawn: a directory's entries that small are laid out
 * again as one cell, `N smaller entries` (one alone stays in its directory's cell).
 */
const MIN_SIDE = 4
/** At most this many cells are drawn, the largest first. */
const MAX_CELLS = 3000

export class Treemap {
  readonly element: HTMLElement
  private readonly root: HierarchyNode<Entry>
  private readonly crumbs: HTMLElement
  private readonly info: HTMLElement
  private readonly canvas: SVGElement
  private readonly layerNames: string[]
  current: HierarchyNode<Entry>

  constructor(tree: Entry, layerNames: string[]) {
    this.layerNames = layerNames
    this.root = hierarchy(tree, (entry) => entry.children)
      .sum((entry) => (entry.children ? 0 : entry.bytes))
      .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
    // a directory takes the colour of its largest child, for when its cells are too small to draw
    this.root.eachAfter((node) => {
      if (node.children) node.data.layer = node.children[0].data.layer
    })
    this.current = this.root
    this.crumbs = h('nav', {class: 'crumbs'})
    this.info = h('div', {class: 'info'}, 'hover a cell for its path, bytes and layer; click to zoom in')
    this.canvas = svg('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'treemap', role: 'img'})
    this.element = h('div', {class: 'treemap-box'}, this.crumbs, this.canvas as unknown as Node, this.info)
    this.zoom(this.root)
  }

  /** Shows `node`'s subtree, filling the view. */
  zoom(node: HierarchyNode<Entry>): void {
    this.current = node
    const layout = treemap<Entry>()
      .size([WIDTH, HEIGHT])
      .paddingInner(1)
      // outer padding first: it sets the top padding too, which a directory's label needs more of
      .paddingOuter((d) => (d.depth === 0 ? 0 : 2))
      .paddingTop((d) => (d.depth === 0 || !d.children ? 0 : 16))
    // d3's treemap lays out a tree from its root (depth 0): lay out the subtree in view, then again with each
    // directory's entries too small to draw as one cell
    const lay = (tree: Entry) =>
      layout(
        hierarchy(tree, (entry) => entry.children)
          .sum((entry) => (entry.children ? 0 : entry.bytes))
          .sort((a, b) => (b.value ?? 0) - (a.value ?? 0)),
      )
    const laidOut = lay(foldUndrawable(lay(node.data)))
    this.canvas.replaceChildren()
    // the largest cells first, level by level, until the cells are too small or too many
    let level: HierarchyRectangularNode<Entry>[] = laidOut.children ?? []
    let drawn = 0
    for (let depth = 1; depth <= DEPTH && level.length > 0 && drawn < MAX_CELLS; depth++) {
      const next: HierarchyRectangularNode<Entry>[] = []
      for (const cell of level) {
        const width = cell.x1 - cell.x0
        const height = cell.y1 - cell.y0
        if (width < MIN_SIDE || height < MIN_SIDE || drawn >= MAX_CELLS) continue
        const open = Boolean(cell.children) && depth < DEPTH && width > 2 * MIN_SIDE && height > 16 + MIN_SIDE
        this.canvas.appendChild(this.cell(cell, width, height, open))
        drawn++
        if (open) next.push(...cell.children!)
      }
      level = next
    }
    this.crumbs.replaceChildren(
      ...node
        .ancestors()
        .reverse()
        .map((ancestor, index, all) =>
          h(
            'button',
            {type: 'button', class: 'crumb', disabled: index === all.length - 1, onclick: () => this.zoom(ancestor)},
            ancestor === this.root ? '/' : ancestor.data.name,
          ),
        ),
      h('span', {class: 'crumb-size'}, humanSize(node.value ?? 0)),
    )
  }

  private describe(entry: Entry, value: number): string {
    if (entry.children) return `${entry.path}: ${humanSize(value)} (${value.toLocaleString('en')} bytes)`
    const layer =
      entry.layer >= 0
        ? `layer ${entry.layer}${this.layerNames[entry.layer] ? ` (${this.layerNames[entry.layer]})` : ''}`
        : ''
    const what = entry.folded ? `${entry.path}: ${entry.name}` : entry.path
    return (
      `${what}: ${humanSize(entry.bytes)} (${entry.bytes.toLocaleString('en')} ` +
      `bytes), ${entry.folded ? 'the largest written by ' : 'written by '}${layer}`
    )
  }

  /** A cell: an open directory frames its children's cells, a closed one takes its largest child's colour. */
  private cell(cell: HierarchyRectangularNode<Entry>, width: number, height: number, open: boolean): SVGElement {
    const entry = cell.data
    const dir = entry.children !== undefined
    const group = svg('g', {transform: `translate(${cell.x0},${cell.y0})`, class: dir ? 'dir' : 'file'})
    group.setAttribute('data-path', entry.path)
    const rect = svg('rect', {
      width,
      height,
      fill: open ? '#f3f3f3' : layerColour(entry.layer),
      ...(entry.folded || (dir && !open) ? {'fill-opacity': 0.6} : {}),
    })
    const text = this.describe(entry, cell.value ?? 0)
    const title = svg('title')
    title.textContent = text
    rect.appendChild(title)
    group.appendChild(rect)
    if ((open && width > 40) || (!open && width > 50 && height > 14)) {
      const label = svg('text', {x: 3, y: 12, class: 'label'})
      label.textContent = `${entry.name} ${humanSize(cell.value ?? 0)}`
      group.appendChild(label)
    }
    group.addEventListener('mouseenter', (event) => {
      event.stopPropagation()
      this.info.textContent = text
    })
    group.addEventListener('click', (event) => {
      event.stopPropagation()
      // zoom one level: into the child of the view that holds the cell, if it is a directory
      let top: HierarchyNode<Entry> = cell
      while (top.parent?.parent) top = top.parent
      const target = this.current.children?.find((child) => child.data.path === top.data.path && !top.data.folded)
      if (target?.children) this.zoom(target)
    })
    return group
  }
}

const tooSmall = (cell: HierarchyRectangularNode<Entry>) => cell.x1 - cell.x0 < MIN_SIDE || cell.y1 - cell.y0 < MIN_SIDE

/**
 * The laid-out tree's entries, with each directory's entries too small to draw folded into one: `N smaller entries`,
 * their bytes, in the colour of the largest. (A fold the page data made already counts its entries.)
 */
function foldUndrawable(cell: HierarchyRectangularNode<Entry>): Entry {
  const entry = cell.data
  if (!cell.children) return entry
  const small = cell.children.filter(tooSmall)
  const kept = small.length < 2 ? cell.children : cell.children.filter((child) => !tooSmall(child))
  const children = kept.map(foldUndrawable)
  if (small.length >= 2) {
    const largest = small[0].data // children come largest first
    const entries = small.reduce((sum, child) => sum + (child.data.folded ?? 1), 0)
    children.push({
      name: `${entries.toLocaleString('en')} smaller entries`,
      path: entry.path,
      bytes: small.reduce((sum, child) => sum + (child.value ?? 0), 0),
      layer: largest.layer,
      folded: entries,
    })
  }
  return {...entry, children}
}
