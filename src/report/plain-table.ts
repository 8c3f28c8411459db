import Table from 'cli-table3'

const PLAIN = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '   ',
  },
  style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
}

/** A borderless table in the docker CLI's style (upper-case headings, three-space gutters). */
export function plainTable(head: string[], rows: Array<Array<string | number>>, rightAligned: number[] = []): string {
  const table = new Table({
    head,
    ...PLAIN,
    colAligns: head.map((_, i) => (rightAligned.includes(i) ? 'right' : 'left')),
  })
  for (const row of rows) table.push(row.map(String))
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
}
