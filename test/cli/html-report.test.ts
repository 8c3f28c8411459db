import assert from 'node:assert/strict'
import {mkdirSync, realpathSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Browser, Page} from 'puppeteer-core'

import {SAMPLE_PATH} from '../../scripts/make-sample.js'
import {launchChromium, openReport} from '../helpers/browser.js'
import {analyzeJson, runCli} from '../helpers/cli.js'
import {legacySave, scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import type {Member} from '../helpers/tar.js'

/** Writes `analyze … --format html` to a file, run in `cwd`. */
async function writePage(file: string, args: string[], cwd?: string): Promise<string> {
  const result = await runCli(['analyze', ...args, '--format', 'html'], {cwd})
  assert.equal(result.code, 0, result.stderr)
  writeFileSync(file, result.stdout)
  return file
}

/** [data-figure, data-value] of the header's figures. */
const figures = (page: Page) =>
  page.$$eval('[data-figure]', (elements) =>
    elements.map((element) => [element.getAttribute('data-figure'), Number(element.getAttribute('data-value'))]),
  )

/** The text of each element matching `selector`. */
const texts = (page: Page, selector: string) =>
  page.$$eval(selector, (elements) => elements.map((element) => element.textContent))

/** For each element matching `selector`, the text of each of its elements matching `parts`. */
const partTexts = (page: Page, selector: string, parts: string) =>
  page.$$eval(
    selector,
    (elements, parts) =>
      elements.map((element) => [...element.querySelectorAll(parts)].map((part) => part.textContent)),
    parts,
  )

/** The paths of the tree rows drawn, with their change marks. */
const rows = (page: Page) =>
  page.$$eval('.tree .row', (elements) =>
    elements.map((element) => `${element.getAttribute('data-change') ?? ' '} ${element.getAttribute('data-path')}`),
  )

/** A command longer than the layer list shows (60 characters). */
const LONG_COMMAND =
  '/bin/sh -c npm ci --omit=dev --no-audit --no-fund && npm cache clean --force && rm -rf /root/.npm /tmp/*'

describe('analyze --format html: the self-contained report page in a real browser', function () {
  const tmp = scratch()
  let chromium: {browser: Browser; close(): Promise<void>} | undefined
  before(async function () {
    requirePrerequisites(this, 'browser')
    chromium = await launchChromium()
  })
  after(async () => {
    await chromium?.close()
    tmp.remove()
  })

  it('the sample: loads from disk with no error and no request, and shows the JSON report’s numbers', async () => {
    // a configuration in force: check's verdicts in the header
    const dir = join(tmp.dir, 'with-config')
    mkdirSync(dir)
    writeFileSync(`${dir}/.docker-layers.yml`, 'rules:\n  maxLayers: 5\n  lowestEfficiency: 0.8\n')
    const file = await writePage(`${dir}/report.html`, [SAMPLE_PATH, '--duplicates'], dir)
    const report = await analyzeJson([SAMPLE_PATH, '--duplicates'])
    const {page, problems} = await openReport(chromium!.browser, file)
    assert.deepEqual(problems, [])
    const {summary} = report
    assert.deepEqual(await figures(page), [
      ['totalBytes', summary.totalBytes],
      ['finalBytes', summary.finalBytes],
      ['finalFiles', summary.finalFiles],
      ['wastedBytes', summary.wastedBytes],
      ['wastedPercent', summary.wastedPercent],
      ['dive.efficiency', summary.dive.efficiency],
      ['dive.inefficientBytes', summary.dive.inefficientBytes],
      ['dive.userWastedPercent', summary.dive.userWastedPercent],
    ])
    assert.deepEqual(
      await page.$$eval('[data-figure] .value', (elements) => elements.map((element) => element.textContent)),
      ['324kB', '206kB', '7', '117kB', '36.31%', '82.5420%', '86.5kB', '38.03%'],
    )
    assert.deepEqual(
      await page.$$eval('.layer', (elements) =>
        elements.map((element) =>
          ['data-layer', 'data-bytes', 'data-wasted', 'data-added', 'data-modified', 'data-removed'].map((name) =>
            Number(element.getAttribute(name)),
          ),
        ),
      ),
      report.layers.map((l: any) => [l.index, l.bytes, l.wastedBytes, l.added, l.modified, l.removed]),
    )
    assert.deepEqual(
      await page.$$eval('.waste-group', (elements) =>
        elements.map((element) =>
          ['data-layer', 'data-hidden-by', 'data-bytes'].map((name) => Number(element.getAttribute(name))),
        ),
      ),
      [
        [1, 2, 85_000],
        [3, 4, 2471],
        [3, 5, 30_023],
      ],
    )
    assert.deepEqual(
      await page.$$eval('[data-advice]', (elements) =>
        elements.map((element) => [element.getAttribute('data-advice'), Number(element.getAttribute('data-bytes'))]),
      ),
      report.advice.map((a: any) => [a.id, a.bytes]),
    )
    assert.deepEqual(
      await page.$$eval('#duplicates tr[data-digest]', (elements) =>
        elements.map((e) => e.getAttribute('data-digest')),
      ),
      report.duplicates.map((g: any) => g.digest),
    )
    assert.deepEqual(
      await page.$$eval('[data-rule]', (elements) =>
        elements.map((element) => [element.getAttribute('data-rule'), element.className]),
      ),
      // dive's rules are on by default as in dive (highestWastedBytes is off)
      [
        ['lowestEfficiency', 'pass'],
        ['highestUserWastedPercent', 'fail'],
        ['maxLayers', 'fail'],
      ],
    )
    assert.equal(await page.$eval('[data-check]', (element) => element.getAttribute('data-check')), 'fail')

    // what a reader sees: the header
    assert.deepEqual(await texts(page, 'header h1'), ['docker-layers/sample:1.0'])
    assert.equal(report.image.id.startsWith('sha256:d74557a865eb'), true, report.image.id)
    assert.deepEqual(await texts(page, 'header .meta'), [
      `docker-archive ${SAMPLE_PATH} · linux/amd64 · created 2024-01-01T00:00:00Z · d74557a865eb`,
    ])
    assert.deepEqual(await texts(page, '[data-check] > strong'), ['check: FAIL'])
    assert.equal(
      (await texts(page, '[data-check]'))[0]!.startsWith(
        `check: FAIL (rules from ${realpathSync(dir)}/.docker-layers.yml)`,
      ),
      true,
    )
    assert.deepEqual(await partTexts(page, '[data-check] tr', 'td'), [
      [],
      ['lowestEfficiency', 'pass', '0.82542', '0.8'],
      ['highestUserWastedPercent', 'fail', '0.380266', '0.1'],
      ['maxLayers', 'fail', '6', '5'],
    ])
    // the layers: one row each, a bar of kept and wasted bytes (widths against the largest layer, layer 1's
    // 165,000 bytes), the command, the A/M/D counts, the bytes and the wasted bytes
    assert.deepEqual(await partTexts(page, '.layer', '.index, .cmd, .counts > span, .layer > .bytes, .wasted-bytes'), [
      ['0', 'ADD rootfs.tar.gz / # busybox', 'A 8', 'M 0', 'D 0', '96.1kB', ''],
      ['1', 'RUN apt-get update && apt-get install -y curl', 'A 4', 'M 0', 'D 0', '165kB', '85kB'],
      ['2', 'RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin', 'A 0', 'M 3', 'D 2', '0B', ''],
      ['3', 'COPY . /app # with the deploy key', 'A 5', 'M 0', 'D 0', '32.5kB', '32.5kB'],
      ['4', 'RUN rm /root/.ssh/id_rsa', 'A 0', 'M 1', 'D 1', '0B', ''],
      ['5', 'RUN chown -R app:app /app', 'A 0', 'M 3', 'D 0', '30kB', ''],
    ])
    assert.deepEqual(
      await page.$$eval('.layer .bar', (bars) =>
        bars.map((bar) => [
          bar.getAttribute('title'),
          (bar.querySelector('.kept') as HTMLElement).style.width,
          (bar.querySelector('.wasted') as HTMLElement).style.width,
        ]),
      ),
      [
        ['96.1kB kept, 0B wasted', '58.2315%', '0%'],
        ['80kB kept, 85kB wasted', '48.4848%', '51.5152%'],
        ['0B kept, 0B wasted', '0%', '0%'],
        ['0B kept, 32.5kB wasted', '0%', '19.6933%'],
        ['0B kept, 0B wasted', '0%', '0%'],
        ['30kB kept, 0B wasted', '18.1958%', '0%'],
      ],
    )
    // the waste by layer pair: how it was hidden, then its paths, largest first
    assert.deepEqual(await texts(page, '.waste-group h3'), [
      'Layer 1 (RUN apt-get update && apt-get install -y curl) stores 85kB in 2 files that layer 2 (RUN rm -rf ' +
        '/var/lib/apt/lists/* /var/cache/apt/*.bin) hides',
      'Layer 3 (COPY . /app # with the deploy key) stores 2.47kB in 1 file that layer 4 (RUN rm /root/.ssh/id_rsa) hides',
      'Layer 3 (COPY . /app # with the deploy key) stores 30kB in 2 files that layer 5 (RUN chown -R app:app /app) hides',
    ])
    assert.deepEqual(await partTexts(page, '.waste-group', '.chip'), [
      ['opaque 61kB', 'deleted 24kB'],
      ['deleted 2.47kB'],
      ['metadata-only 30kB'],
    ])
    assert.deepEqual(await partTexts(page, '.waste-group tr', 'td'), [
      ['61kB', 'opaque', '/var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages'],
      ['24kB', 'deleted', '/var/cache/apt/pkgcache.bin'],
      ['2.47kB', 'deleted', '/root/.ssh/id_rsa'],
      ['30kB', 'metadata-only', '/app/server'],
      ['23B', 'metadata-only', '/app/config.yml'],
    ])
    // the advice: bytes, id, hadolint rule, title, fix and paths, as the JSON report has them
    assert.deepEqual(
      await partTexts(page, '[data-advice]', '.advice-head > strong, .advice-head > code, .ref, .fix, .paths > code'),
      report.advice.map((a: any) => [
        {secret: '2.47kB', 'apt-cache': '85kB', 'apt-cache-kept': '38kB', 'chmod-copy': '30kB'}[a.id as string],
        a.id,
        ...(a.ref ? [a.ref] : []),
        `Fix: ${a.fix}`,
        ...a.paths,
      ]),
    )
    assert.deepEqual(
      await page.$$eval('[data-advice] .advice-head', (heads) => heads.map((head) => head.lastChild!.textContent)),
      report.advice.map((a: any) => a.title),
    )
    assert.deepEqual(
      report.advice.map((a: any) => a.ref),
      [null, 'DL3009', 'DL3009', null],
    )
    // the duplicates
    assert.deepEqual(await texts(page, '#duplicates > p'), [
      '2 contents stored more than once: 30kB beyond the first copies.',
    ])
    assert.deepEqual(await partTexts(page, '#duplicates tr', 'td'), [
      [],
      ['30kB', '30kB', '2', '/app/server@3 (hidden), /app/server@5'],
      ['23B', '23B', '2', '/app/config.yml@3 (hidden), /app/config.yml@5'],
    ])
    assert.deepEqual(problems, [])
    await page.close()
  })

  it('clicking a layer shows its changes as a tree: by size, by name, filtered; the treemap zooms in and out', async () => {
    const file = await writePage(tmp.file('sample.html'), [SAMPLE_PATH])
    const {page, problems} = await openReport(chromium!.browser, file)
    await page.click('.layer[data-layer="1"]')
    assert.deepEqual(await rows(page), [
      '  /var',
      '  /var/cache',
      '  /var/cache/apt',
      '  /var/cache/apt/archives',
      'A /var/cache/apt/archives/curl_7.88.1-10_amd64.deb',
      'A /var/cache/apt/pkgcache.bin',
      '  /var/lib',
      '  /var/lib/apt',
      '  /var/lib/apt/lists',
      'A /var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages',
      '  /usr',
      '  /usr/bin',
      'A /usr/bin/curl',
    ])
    // each row's bytes: a directory's are those of its changes below
    assert.deepEqual(await texts(page, '.tree .row > .bytes'), [
      '123kB',
      '62kB',
      '62kB',
      '38kB',
      '38kB',
      '24kB',
      '61kB',
      '61kB',
      '61kB',
      '61kB',
      '42kB',
      '42kB',
      '42kB',
    ])
    assert.deepEqual(await texts(page, '.tree .status'), ['13 rows'])
    await page.click('.tree .sort')
    assert.deepEqual((await rows(page)).slice(0, 3), ['  /usr', '  /usr/bin', 'A /usr/bin/curl'])
    await page.type('.tree .filter', 'PKGCACHE')
    // the filter box matches paths whatever their case, and keeps the directories above a match
    await page.waitForFunction(() => document.querySelectorAll('.tree .row').length === 4)
    assert.deepEqual(await rows(page), ['  /var', '  /var/cache', '  /var/cache/apt', 'A /var/cache/apt/pkgcache.bin'])
    // layer 4 deletes the key
    await page.click('.layer[data-layer="4"]')
    assert.deepEqual(await rows(page), ['  /root', 'M /root/.ssh', 'D /root/.ssh/id_rsa'])

    const crumbs = () => page.$$eval('.crumb', (elements) => elements.map((element) => element.textContent))
    const cells = () =>
      page.$$eval('.treemap g', (elements) => elements.map((element) => element.getAttribute('data-path')))
    assert.deepEqual(await crumbs(), ['/'])
    // level by level, the largest first; the 23-byte /app/config.yml and the empty files are too small to draw
    assert.deepEqual(await cells(), [
      '/bin',
      '/usr',
      '/var',
      '/app',
      '/bin/busybox',
      '/usr/bin',
      '/var/cache',
      '/app/server',
      '/usr/bin/curl',
      '/var/cache/apt',
      '/var/cache/apt/archives',
      '/var/cache/apt/archives/curl_7.88.1-10_amd64.deb',
    ])
    // colour: the layer that last wrote the file, as the layer list shows the layer
    const fill = (path: string) =>
      page.$eval(`.treemap g[data-path="${path}"] > rect`, (rect) => rect.getAttribute('fill'))
    const swatch = (layer: number) =>
      page.$eval(`.layer[data-layer="${layer}"] .index`, (element) => element.getAttribute('style'))
    for (const [path, layer] of [
      ['/bin/busybox', 0],
      ['/usr/bin/curl', 1],
      ['/var/cache/apt/archives/curl_7.88.1-10_amd64.deb', 1],
      ['/app/server', 5],
    ] as const)
      assert.equal(`background:${await fill(path)}`, await swatch(layer), path)
    assert.deepEqual(await Promise.all(['/bin/busybox', '/usr/bin/curl', '/app/server'].map(fill)), [
      '#4e79a7',
      '#f28e2b',
      '#edc948',
    ])
    // area: bytes; the top directories hold 96,000 + 42,000 + 38,000 + 30,023 bytes, the final 206,023, and each
    // cell's area per byte is the view's (1200 × 640 px) within the 1 px gaps between cells
    const top: Array<[string, number]> = [
      ['/bin', 96_000],
      ['/usr', 42_000],
      ['/var', 38_000],
      ['/app', 30_023],
    ]
    assert.equal(
      top.reduce((sum, [, bytes]) => sum + bytes, 0),
      206_023,
    )
    for (const [path, bytes] of top) {
      const area = await page.$eval(
        `.treemap g[data-path="${path}"] > rect`,
        (rect) => Number(rect.getAttribute('width')) * Number(rect.getAttribute('height')),
      )
      const ratio = area / bytes / ((1200 * 640) / 206_023)
      assert.equal(ratio > 0.99 && ratio <= 1, true, `${path}: ${ratio}`)
    }
    assert.deepEqual(
      await page.$$eval('.treemap g[data-path="/app"] > rect > title', (titles) => titles.map((t) => t.textContent)),
      ['/app: 30kB (30,023 bytes)'],
    )
    await page.hover('.treemap g[data-path="/bin/busybox"]')
    assert.equal(
      await page.$eval('.treemap-box .info', (element) => element.textContent),
      '/bin/busybox: 96kB (96,000 bytes), written by layer 0 (ADD rootfs.tar.gz / # busybox)',
    )
    await page.click('.treemap g[data-path="/var"]')
    assert.deepEqual(await crumbs(), ['/', 'var'])
    assert.deepEqual(await cells(), [
      '/var/cache',
      '/var/cache/apt',
      '/var/cache/apt/archives',
      '/var/cache/apt/archives/curl_7.88.1-10_amd64.deb',
    ])
    await page.click('.crumb')
    assert.deepEqual(await crumbs(), ['/'])
    assert.equal((await cells()).includes('/app/server'), true)
    assert.deepEqual(problems, [])
    await page.close()
  })

  it(
    'an image of 110k entries: the page stays under 5 MB, opens, folds small files per directory, draws only ' +
      'the rows in view',
    async function () {
      // two CLI runs over 110k entries and a page of megabytes: minutes on a loaded machine
      this.timeout(600_000)
      const members: Member[] = []
      for (let file = 0; file < 100_000; file++)
        members.push({path: `usr/lib/node_modules/pkg${file % 1000}/lib/file${file}.js`, size: ((file * 37) % 512) + 1})
      const removed: Member[] = []
      for (let pkg = 0; pkg < 300; pkg++) removed.push({path: `usr/lib/node_modules/.wh.pkg${pkg}`})
      for (let file = 0; file < 10_000; file++)
        removed.push({path: `srv/data/d${file % 100}/f${file}`, size: 100 + (file % 300)})
      const archive = tmp.file(
        'large.tar',
        legacySave([
          {
            tag: 'large:1',
            layers: [
              {createdBy: LONG_COMMAND, members},
              {createdBy: 'RUN cleanup', members: removed},
            ],
          },
        ]),
      )
      const file = await writePage(tmp.file('large.html'), [archive])
      const size = statSync(file).size
      assert.equal(size <= 5_000_000, true, `${size} bytes`)
      const report = await analyzeJson([archive])
      const {page, problems} = await openReport(chromium!.browser, file)
      assert.deepEqual(problems, [])
      assert.deepEqual((await figures(page)).slice(0, 4), [
        ['totalBytes', report.summary.totalBytes],
        ['finalBytes', report.summary.finalBytes],
        ['finalFiles', report.summary.finalFiles],
        ['wastedBytes', report.summary.wastedBytes],
      ])
      // the command shortened, in full on hover
      assert.deepEqual(
        await page.$$eval('.layer .cmd', (elements) =>
          elements.map((element) => [element.textContent, element.getAttribute('title')]),
        ),
        [
          [
            'npm ci --omit=dev --no-audit --no-fund && npm cache clean -…',
            'npm ci --omit=dev --no-audit --no-fund && npm cache clean --force && rm -rf /root/.npm /tmp/*',
          ],
          ['RUN cleanup', 'RUN cleanup'],
        ],
      )
      // the final filesystem's 100,000 files fold below a threshold: one cell per directory for its small files
      assert.deepEqual(await texts(page, '#final .note'), [
        'Files and directories under 237B are folded into one cell per directory.',
      ])
      // at most 3,000 cells are drawn, none under 4 px; 135 of them stand for a directory's small files: 90 the
      // page data folded, and in 45 directories the files too small to draw in this view, folded as it is drawn
      // (before, those cells were left out and 1,514 were drawn, 90 of them folds)
      const titles = await page.$$eval('.treemap g > rect > title', (elements) => elements.map((e) => e.textContent!))
      const folds = titles.filter((title) => title.includes(' smaller entries: '))
      assert.deepEqual([titles.length, folds.length], [1559, 135])
      assert.deepEqual(folds.slice(0, 4), [
        '/srv/data/d99: 66 smaller entries: 23kB (23,034 bytes), the largest written by layer 1 (RUN cleanup)',
        '/srv/data/d99: 34 smaller entries: 6.77kB (6,766 bytes), the largest written by layer 1 (RUN cleanup)',
        '/srv/data/d98: 66 smaller entries: 23kB (22,968 bytes), the largest written by layer 1 (RUN cleanup)',
        '/srv/data/d98: 34 smaller entries: 6.73kB (6,732 bytes), the largest written by layer 1 (RUN cleanup)',
      ])
      await page.click('.layer[data-layer="1"]')
      // the tree has thousands of rows but draws only those in view, and 20 beyond
      assert.deepEqual(await texts(page, '.tree .status'), ['11,751 rows'])
      assert.equal((await rows(page)).length, 40)
      await page.$eval('.tree .rows', (viewport) => viewport.scrollTo(0, 22 * 1000))
      await page.waitForFunction(() =>
        document.querySelector('.tree .row')?.getAttribute('style')?.includes('top:21780px'),
      )
      assert.equal((await rows(page)).length, 40)
      assert.deepEqual(problems, [])
      await page.close()
    },
  )
})
