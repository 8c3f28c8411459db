import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

/** ../shared/peer-fixtures beside the checkout (CI lays a copy there). */
export const PEER = fileURLToPath(new URL('../../../shared/peer-fixtures/', import.meta.url))

/** Skips the suite when the fixtures are absent, except in CI where that is a failure. */
export function requirePeerFixtures(suite: Mocha.Context): void {
  if (existsSync(PEER)) return
  if (process.env.CI) throw new Error(`peer fixtures missing at ${PEER}`)
  suite.skip()
}
