import assert from 'node:assert/strict'
import {mkdirSync, statSync, writeFileSync} from 'node:fs'
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

/** The paths of the tree rows drawn, with their change marks. */
const rows = (page: Page) =>
  page.$$eval('.tree .row', (elements) =>
    elements.map((element) => `${element.getAttribute('data-change') ?? ' '} ${element.getAttribute('data-path')}`),
  )

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
          ['data-layer', 'data-removed-by', 'data-bytes'].map((name) => Number(element.getAttribute(name))),
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
    assert.equal((await cells()).includes('/bin/busybox'), true)
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

  it('an image of 110k entries: the page stays under 5 MB, opens, and draws only the rows in view', async function () {
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
            {createdBy: 'RUN npm ci', members},
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
    await page.click('.layer[data-layer="1"]')
    const status = await page.$eval('.tree .status', (element) => element.textContent)
    const drawn = (await rows(page)).length
    assert.equal(drawn <= 50 && Number(status!.replace(/\D/g, '')) > 1000, true, `${drawn} rows drawn, ${status}`)
    await page.close()
  })
})
