// The report page's script: reads the page data and draws the header, the layers (a click opens a layer's changes),
// the final filesystem's treemap, the waste, the advice and the duplicates. Bundled into the page at build time.
import type {PageData} from '../page-data.js'
import {bytes, command, h, humanSize, layerColour, shorten} from './dom.js'
import {readTree} from './tree.js'
import {Treemap} from './treemap.js'
import {TreeView} from './tree-view.js'

const data = JSON.parse(document.getElementById('page-data')!.textContent!) as PageData
const {report} = data
const {summary, image} = report
const names = report.layers.map((layer) => shorten(command(layer.createdBy), 60))
const main = document.querySelector('main')!

function figure(name: string, label: string, value: Node | string, exact?: number): HTMLElement {
  return h(
    'div',
    {class: 'figure', 'data-figure': name, 'data-value': exact},
    h('div', {class: 'label'}, label),
    h('div', {class: 'value'}, value),
  )
}

function percent(value: number, digits: number): string {
  return `${value.toFixed(digits)}%`
}

function header(): HTMLElement {
  const title = image.repoTags.length > 0 ? image.repoTags.join(', ') : report.source.name
  const platform = [image.os, image.architecture].filter(Boolean).join('/')
  const meta = [
    `${report.source.kind} ${report.source.name}`,
    platform,
    image.created ? `created ${image.created}` : '',
    image.id ? image.id.replace(/^sha256:/, '').slice(0, 12) : '',
  ].filter(Boolean)
  const figures = [
    figure('totalBytes', `total in ${summary.layers} layers`, bytes(summary.totalBytes ?? 0), summary.totalBytes ?? 0),
  ]
  if (summary.finalBytes !== null && summary.wastedBytes !== null && summary.wastedPercent !== null) {
    figures.push(
      figure('finalBytes', 'final', bytes(summary.finalBytes), summary.finalBytes),
      figure('finalFiles', 'final files', String(summary.finalFiles), summary.finalFiles ?? 0),
      figure('wastedBytes', 'wasted', bytes(summary.wastedBytes), summary.wastedBytes),
      figure('wastedPercent', 'of the image wasted', percent(summary.wastedPercent, 2), summary.wastedPercent),
    )
  }
  if (summary.dive) {
    const {dive} = summary
    figures.push(
      figure('dive.efficiency', "dive's efficiency", percent(dive.efficiency * 100, 4), dive.efficiency),
      figure('dive.inefficientBytes', "dive's inefficient bytes", bytes(dive.inefficientBytes), dive.inefficientBytes),
      figure(
        'dive.userWastedPercent',
        "dive's user wasted",
        percent(dive.userWastedPercent * 100, 2),
        dive.userWastedPercent,
      ),
    )
  }
  const check = data.check
  return h(
    'header',
    {},
    h('h1', {}, title),
    h('p', {class: 'meta'}, meta.join(' · ')),
    h('div', {class: 'figures'}, figures),
    check &&
      h(
        'div',
        {class: `check ${check.result.passed ? 'pass' : 'fail'}`, 'data-check': check.result.passed ? 'pass' : 'fail'},
        h('strong', {}, `check: ${check.result.passed ? 'PASS' : 'FAIL'}`),
        ` (rules from ${check.config})`,
        h(
          'table',
          {},
          h('tr', {}, h('th', {}, 'rule'), h('th', {}, 'status'), h('th', {}, 'value'), h('th', {}, 'threshold')),
          check.result.rules
            .filter((rule) => rule.status !== 'off')
            .map((rule) =>
              h(
                'tr',
                {class: rule.status, 'data-rule': rule.rule},
                h('td', {}, rule.rule),
                h('td', {}, rule.status),
                h('td', {}, rule.valueText),
                h('td', {}, rule.thresholdText),
              ),
            ),
        ),
      ),
  )
}

function layers(): HTMLElement {
  const largest = Math.max(1, ...report.layers.map((layer) => layer.bytes ?? 0))
  const panel = h('div', {class: 'changes', id: 'changes'})
  let open = -1
  const show = (index: number, row: HTMLElement) => {
    for (const other of list.querySelectorAll('.layer.open')) other.classList.remove('open')
    if (open === index) {
      open = -1
      panel.replaceChildren()
      return
    }
    open = index
    row.classList.add('open')
    const layer = report.layers[index]
    panel.replaceChildren(
      h('h3', {}, `Layer ${index}: its changes`),
      h('p', {class: 'command'}, command(layer.createdBy)),
      new TreeView(readTree(data.changes[index])).element,
    )
    row.after(panel)
  }
  const list = h(
    'div',
    {class: 'layer-list'},
    report.layers.map((layer) => {
      const size = layer.bytes ?? 0
      const wasted = layer.wastedBytes ?? 0
      const row = h(
        'div',
        {
          class: 'layer',
          'data-layer': layer.index,
          'data-bytes': size,
          'data-wasted': wasted,
          'data-added': layer.added ?? 0,
          'data-modified': layer.modified ?? 0,
          'data-removed': layer.removed ?? 0,
          tabindex: 0,
        },
        h('span', {class: 'index', style: `background:${layerColour(layer.index)}`}, String(layer.index)),
        h(
          'span',
          {class: 'bar', title: `${humanSize(size - wasted)} kept, ${humanSize(wasted)} wasted`},
          h('span', {class: 'kept', style: `width:${(100 * (size - wasted)) / largest}%`}),
          h('span', {class: 'wasted', style: `width:${(100 * wasted) / largest}%`}),
        ),
        h('span', {class: 'cmd', title: command(layer.createdBy)}, names[layer.index]),
        h(
          'span',
          {class: 'counts'},
          h('span', {class: 'change-A'}, `A ${layer.added}`),
          h('span', {class: 'change-M'}, `M ${layer.modified}`),
          h('span', {class: 'change-D'}, `D ${layer.removed}`),
        ),
        bytes(size),
        h('span', {class: 'wasted-bytes'}, wasted > 0 ? bytes(wasted) : ''),
      )
      row.addEventListener('click', () => show(layer.index, row))
      row.addEventListener('keydown', (event) => {
        if ((event as KeyboardEvent).key === 'Enter') show(layer.index, row)
      })
      return row
    }),
  )
  return h(
    'section',
    {id: 'layers'},
    h('h2', {}, 'Layers'),
    h(
      'p',
      {class: 'hint'},
      'Bar: bytes the layer stores, kept ',
      h('i', {class: 'swatch kept'}),
      ' and wasted ',
      h('i', {class: 'swatch wasted'}),
      '. Click a layer for its changes.',
    ),
    list,
  )
}

function finalFs(): HTMLElement {
  const map = new Treemap(readTree(data.final), names)
  const folded = data.foldedBelow.final
  return h(
    'section',
    {id: 'final'},
    h('h2', {}, 'Final filesystem'),
    h(
      'p',
      {class: 'hint'},
      'Area: bytes; colour: the layer that last wrote the file. Click to zoom in; the path above zooms out.',
    ),
    map.element,
    h(
      'div',
      {class: 'legend'},
      report.layers.map((layer) =>
        h(
          'span',
          {},
          h('i', {class: 'swatch', style: `background:${layerColour(layer.index)}`}),
          `${layer.index} ${names[layer.index]}`,
        ),
      ),
    ),
    folded !== null &&
      h(
        'p',
        {class: 'note'},
        `Files and directories under ${humanSize(folded + 1)} are folded into one cell per directory.`,
      ),
  )
}

function waste(): HTMLElement {
  return h(
    'section',
    {id: 'waste'},
    h('h2', {}, 'Waste'),
    data.waste.length === 0
      ? h('p', {}, 'No waste: every stored byte is visible in the final filesystem.')
      : data.waste.map((group) =>
          h(
            'div',
            {
              class: 'waste-group',
              'data-layer': group.layer,
              'data-hidden-by': group.hiddenBy,
              'data-bytes': group.bytes,
            },
            h(
              'h3',
              {},
              `Layer ${group.layer} (${names[group.layer]}) stores `,
              bytes(group.bytes),
              ` in ${group.files} file${group.files === 1 ? '' : 's'} that layer ${group.hiddenBy} (${names[group.hiddenBy]}) hides`,
            ),
            h(
              'p',
              {class: 'how'},
              Object.entries(group.how).map(([how, size]) => h('span', {class: 'chip'}, `${how} `, bytes(size ?? 0))),
            ),
            h(
              'table',
              {},
              group.paths.map((path) =>
                h(
                  'tr',
                  {},
                  h('td', {class: 'num'}, bytes(path.bytes)),
                  h('td', {}, path.how),
                  h('td', {class: 'path'}, path.path),
                ),
              ),
            ),
            group.files > group.paths.length &&
              h('p', {class: 'note'}, `and ${group.files - group.paths.length} smaller files`),
          ),
        ),
  )
}

function advice(): HTMLElement {
  return h(
    'section',
    {id: 'advice'},
    h('h2', {}, 'Advice'),
    report.advice.length === 0
      ? h('p', {}, 'Nothing to change.')
      : h(
          'ol',
          {},
          report.advice.map((item) =>
            h(
              'li',
              {class: `advice ${item.kind}`, 'data-advice': item.id, 'data-bytes': item.bytes},
              h(
                'div',
                {class: 'advice-head'},
                h('strong', {}, bytes(item.bytes)),
                ' ',
                h('code', {}, item.id),
                item.ref && h('span', {class: 'ref'}, item.ref),
                ' ',
                item.title,
              ),
              h('div', {class: 'fix'}, 'Fix: ', item.fix),
              h(
                'div',
                {class: 'paths'},
                item.paths.map((path) => h('code', {}, path)),
              ),
            ),
          ),
        ),
  )
}

function duplicates(): HTMLElement | null {
  const found = data.duplicates
  if (!found) return null
  return h(
    'section',
    {id: 'duplicates'},
    h('h2', {}, 'Duplicates'),
    found.count === 0
      ? h('p', {}, 'No content is stored twice.')
      : [
          h(
            'p',
            {},
            `${found.count} contents stored more than once: `,
            bytes(found.costBytes),
            ' beyond the first copies.',
          ),
          h(
            'table',
            {},
            h('tr', {}, h('th', {}, 'cost'), h('th', {}, 'size'), h('th', {}, 'copies'), h('th', {}, 'paths')),
            found.groups.map((group) =>
              h(
                'tr',
                {'data-digest': group.digest},
                h('td', {class: 'num'}, bytes(group.costBytes)),
                h('td', {class: 'num'}, bytes(group.bytes)),
                h('td', {class: 'num'}, String(group.copyCount)),
                h(
                  'td',
                  {class: 'path'},
                  group.copies
                    .map((copy) => `${copy.path}@${copy.layer}${copy.visible ? '' : ' (hidden)'}`)
                    .join(', ') + (group.copyCount > group.copies.length ? ', …' : ''),
                ),
              ),
            ),
          ),
        ],
  )
}

main.replaceChildren(header(), layers(), finalFs(), waste(), advice())
const dup = duplicates()
if (dup) main.appendChild(dup)
document.body.setAttribute('data-ready', '')
