// `npm run screenshot`: docs/img/report.png, the README's picture of `analyze --format html` on the shipped sample,
// taken in Debian's headless chromium after the built CLI wrote the page (run `npm run build` first).
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {launchChromium, openReport} from '../test/helpers/browser.js'
import {runCli} from '../test/helpers/cli.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const result = await runCli(['analyze', 'sample/sample-image.tar', '--format', 'html'], {cwd: root})
if (result.code !== 0) throw new Error(`analyze --format html exited ${result.code}: ${result.stderr}`)
const dir = mkdtempSync(join(tmpdir(), 'dl-screenshot-'))
const chromium = await launchChromium()
try {
  const page = join(dir, 'report.html')
  writeFileSync(page, result.stdout)
  const {page: tab, problems} = await openReport(chromium.browser, page)
  if (problems.length > 0) throw new Error(problems.join('\n'))
  // the header, the layers with layer 1's changes open, and the treemap
  await tab.click('.layer[data-layer="1"]')
  mkdirSync(join(root, 'docs/img'), {recursive: true})
  await tab.screenshot({path: join(root, 'docs/img/report.png'), clip: {x: 0, y: 0, width: 1280, height: 1500}})
} finally {
  await chromium.close()
  rmSync(dir, {recursive: true, force: true})
}
