// The few DOM helpers the page's script needs.
import {humanSize} from '../../../human-size.js'

type Child = Node | string | number | null | undefined | false

/** An element with attributes (`on…` functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | ((event: Event) => void) | undefined> = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, children)
  return element
}

export function append(parent: Node, children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

const SVG = 'http://www.w3.org/2000/svg'

/** An SVG element with attributes. */
export function svg(tag: string, attributes: Record<string, string | number> = {}): SVGElement {
  const element = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  return element
}

/** Bytes as docker writes them, the exact figure on hover. */
export function bytes(value: number): HTMLElement {
  return h(
    'span',
    {class: 'bytes', title: `${value.toLocaleString('en')} bytes`, 'data-value': value},
    humanSize(value),
  )
}

export {humanSize}

/** A layer's command without the legacy builder's `/bin/sh -c #(nop)` prefix, on one line. */
export function command(text: string | null): string {
  return (text ?? '')
    .replace(/\s+/g, ' ')
    .replace(/^\/bin\/sh -c (#\(nop\) +)?/, '')
    .trim()
}

export function shorten(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text
}

/** One colour per layer, cycling through a palette that tells neighbours apart. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#8cd17d',
  '#a0cbe8',
  '#d4a6c8',
]

export function layerColour(layer: number): string {
  return layer < 0 ? '#bab0ac' : PALETTE[layer % PALETTE.length]
}
