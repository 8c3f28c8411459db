import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import puppeteer, {type Browser, type Page} from 'puppeteer-core'

import {HOST} from './prerequisites.js'

/**
 * Debian's chromium (the browser suite's prerequisite, found on PATH), started headless with a profile of its own in
 * a temporary directory; puppeteer-core downloads no browser.
 */
export async function launchChromium(): Promise<{browser: Browser; close(): Promise<void>}> {
  const profile = mkdtempSync(join(tmpdir(), 'dl-chromium-'))
  const browser = await puppeteer.launch({
    executablePath: HOST.which('chromium'),
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  return {
    browser,
    async close() {
      await browser.close()
      rmSync(profile, {recursive: true, force: true})
    },
  }
}

/**
 * Opens an HTML report from disk and waits until its script has drawn it; `problems` collects uncaught errors,
 * console errors and every request for anything but the page itself.
 */
export async function openReport(browser: Browser, file: string): Promise<{page: Page; problems: string[]}> {
  const page = await browser.newPage()
  const url = pathToFileURL(file).href
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`uncaught: ${String(error)}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('request', (request) => {
    if (request.url() !== url) problems.push(`request: ${request.url()}`)
  })
  await page.setViewport({width: 1280, height: 900})
  await page.goto(url)
  await page.waitForSelector('body[data-ready]')
  return {page, problems}
}
