import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * This package's directory: the nearest one above this module that holds a package.json. The module sits in src/
 * when tests run the sources, and in a chunk in dist/ when the CLI runs bundled (scripts/bundle-cli.ts).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}
