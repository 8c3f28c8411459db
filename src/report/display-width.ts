import stringWidth from 'string-width'

/** Columns a cell takes: its length when it is printable ASCII, else what string-width counts. */
export const displayWidth = (cell: string) => (/^[\x20-\x7e]*$/.test(cell) ? cell.length : stringWidth(cell))

/** `text` cut to `width` columns, its last one an ellipsis, as docker cuts a column. */
export function ellipsize(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  let cut = ''
  for (const char of text) {
    if (displayWidth(`${cut}${char}`) > width - 1) break
    cut += char
  }
  return `${cut}…`
}
