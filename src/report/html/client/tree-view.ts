// A layer's changes as a tree, as dive shows them: A/M/D marks, sizes, sorted by size or by name, a filter box.
// Rows are rendered lazily: only those in view exist in the DOM, so a layer of 100k changes scrolls as one of ten.
import {bytes, h} from './dom.js'
import type {Entry} from './tree.js'

const ROW = 22
/** The most height the rows take before they scroll. */
const VIEW = 440

interface Row {
  entry: Entry
  depth: number
}

export class TreeView {
  readonly element: HTMLElement
  private readonly viewport: HTMLElement
  private readonly spacer: HTMLElement
  private readonly status: HTMLElement
  private sort: 'size' | 'name' = 'size'
  private filter = ''
  private collapsed = new Set<Entry>()
  private rows: Row[] = []

  constructor(private readonly root: Entry) {
    this.spacer = h('div', {class: 'spacer'})
    this.viewport = h('div', {class: 'rows', onscroll: () => this.draw()}, this.spacer)
    this.status = h('span', {class: 'status'})
    let timer: number | undefined
    const filterBox = h('input', {
      type: 'search',
      placeholder: 'filter paths',
      class: 'filter',
      oninput: (event: Event) => {
        clearTimeout(timer)
        timer = window.setTimeout(() => {
          this.filter = (event.target as HTMLInputElement).value.trim().toLowerCase()
          this.update()
        }, 120)
      },
    })
    const sortButton = h('button', {type: 'button', class: 'sort'}, 'sort by name')
    sortButton.addEventListener('click', () => {
      this.sort = this.sort === 'size' ? 'name' : 'size'
      sortButton.textContent = this.sort === 'size' ? 'sort by name' : 'sort by size'
      this.update()
    })
    this.element = h(
      'div',
      {class: 'tree'},
      h('div', {class: 'toolbar'}, filterBox, sortButton, this.status),
      this.viewport,
    )
    this.update()
  }

  /** Recomputes the visible rows (sort, filter, collapsed directories) and draws those in view. */
  private update(): void {
    const rows: Row[] = []
    // folded entries last; then largest first (or by name), ties by name
    const order = (entries: Entry[]) =>
      [...entries].sort(
        (a, b) =>
          Number(a.folded !== undefined) - Number(b.folded !== undefined) ||
          (this.sort === 'size' ? b.bytes - a.bytes : 0) ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      )
    const matches = new Map<Entry, boolean>()
    const match = (entry: Entry): boolean => {
      let found = entry.folded === undefined && entry.path.toLowerCase().includes(this.filter)
      for (const child of entry.children ?? []) if (match(child)) found = true
      matches.set(entry, found)
      return found
    }
    if (this.filter) match(this.root)
    const walk = (entry: Entry, depth: number) => {
      for (const child of order(entry.children ?? [])) {
        if (this.filter && !matches.get(child)) continue
        rows.push({entry: child, depth})
        if (child.children && (this.filter || !this.collapsed.has(child))) walk(child, depth + 1)
      }
    }
    walk(this.root, 0)
    this.rows = rows
    this.spacer.style.height = `${rows.length * ROW}px`
    this.viewport.style.height = `${Math.min(rows.length * ROW, VIEW)}px`
    this.status.textContent = `${rows.length.toLocaleString('en')} rows`
    this.draw()
  }

  private draw(): void {
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW) - 10)
    const last = Math.min(this.rows.length, first + Math.ceil(VIEW / ROW) + 20)
    for (const old of [...this.viewport.querySelectorAll('.row')]) old.remove()
    for (let index = first; index < last; index++) this.viewport.appendChild(this.row(this.rows[index], index))
  }

  private row({entry, depth}: Row, index: number): HTMLElement {
    const dir = entry.children !== undefined
    const toggle = dir ? (this.collapsed.has(entry) && !this.filter ? '▸' : '▾') : ''
    const element = h(
      'div',
      {
        class: `row${entry.change ? ` change-${entry.change}` : ''}${entry.folded ? ' folded' : ''}`,
        style: `top:${index * ROW}px;padding-left:${depth * 16 + 4}px`,
        'data-path': entry.folded === undefined ? entry.path : undefined,
        'data-change': entry.change,
      },
      h('span', {class: 'toggle'}, toggle),
      h('span', {class: 'mark'}, entry.change ?? ''),
      h('span', {class: 'name'}, entry.folded === undefined ? entry.name + (dir ? '/' : '') : `… ${entry.name}`),
      bytes(entry.bytes),
    )
    if (dir)
      element.addEventListener('click', () => {
        if (this.collapsed.has(entry)) this.collapsed.delete(entry)
        else this.collapsed.add(entry)
        this.update()
      })
    return element
  }
}
