import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {findConfig, readConfig, whereToListImages} from '../check/config.js'
import {InputError} from '../errors.js'
import {pluginBinary} from '../plugin/install.js'

const MARKER = '# docker-layers pre-push hook'
const CHAINED = 'pre-push.docker-layers-chained'

function git(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim()
  } catch {
    throw new InputError(`${cwd} is not inside a git repository`)
  }
}

/** The hooks directory git uses here, core.hooksPath included. */
export function hooksDir(cwd: string): string {
  return resolve(cwd, git(cwd, 'rev-parse', '--git-path', 'hooks'))
}

/** The top level of the work tree: where git runs hooks, and so where the hook's `check` looks for its config. */
function topLevel(cwd: string): string {
  return git(cwd, 'rev-parse', '--show-toplevel')
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`
}

/**
 * The hook finds docker-layers when it runs, so that it survives an upgrade or a move of the package: the
 * repository's own (node_modules/.bin, as npx finds it), then the one on PATH, then the docker CLI plugin; the
 * package that installed the hook only when none of them is there. The plugin is probed by `docker layers` alone
 * (help, exit 0): with --help or --version the docker CLI answers itself, plugin or not.
 */
function script(images: string[]): string {
  const fallback = [process.execPath, pluginBinary()]
  const args = ['check', '--quiet', ...images].map(quote).join(' ')
  return `#!/bin/sh
${MARKER}: refuses the push when \`docker-layers check\` fails.
# \`docker-layers hook uninstall\` removes it and restores the hook that was here before.
chained="$(dirname "$0")/${CHAINED}"
if [ -x "$chained" ]; then
  input=$(cat)
  if [ -n "$input" ]; then printf '%s\\n' "$input"; fi | "$chained" "$@" || exit $?
fi
if [ -x node_modules/.bin/docker-layers ]; then
  exec node_modules/.bin/docker-layers ${args}
elif command -v docker-layers >/dev/null 2>&1; then
  exec docker-layers ${args}
elif docker layers >/dev/null 2>&1; then
  exec docker layers ${args}
elif [ -f ${quote(fallback[1])} ]; then
  exec "$(command -v node || echo ${quote(fallback[0])})" ${quote(fallback[1])} ${args}
fi
echo 'docker-layers pre-push hook: docker-layers is not installed (npm install -g docker-layers), nor the docker CLI plugin' >&2
exit 1
`
}

/**
 * Writes the pre-push hook, keeping an existing foreign hook as a chained one. Without `images` the hook checks
 * the images: of the configuration git's hooks will find (the one at the repository's top level); when there are
 * none, every push would fail, so it is refused unless `force`.
 */
export function installHook(cwd: string, images: string[], force = false): {path: string; chained: boolean} {
  const dir = hooksDir(cwd)
  if (images.length === 0 && !force) {
    const top = topLevel(cwd)
    const found = findConfig(top)
    const config = found ? readConfig(found) : {images: []}
    if (config.images.length === 0)
      throw new InputError(
        `nothing for the hook to check: give --images IMAGE, or ${whereToListImages(found, top)}; --force installs it anyway`,
      )
  }
  mkdirSync(dir, {recursive: true})
  const path = join(dir, 'pre-push')
  if (existsSync(path) && !readFileSync(path, 'utf8').includes(MARKER)) {
    if (existsSync(join(dir, CHAINED)))
      throw new InputError(`${join(dir, CHAINED)} already exists; remove it or the current pre-push hook first`)
    renameSync(path, join(dir, CHAINED))
  }
  writeFileSync(path, script(images))
  chmodSync(path, 0o755)
  return {path, chained: existsSync(join(dir, CHAINED))}
}

/** Removes the hook and puts back the one it chained, if any. */
export function uninstallHook(cwd: string): {path: string; restored: boolean; removed: boolean} {
  const dir = hooksDir(cwd)
  const path = join(dir, 'pre-push')
  if (!existsSync(path)) return {path, restored: false, removed: false}
  if (!readFileSync(path, 'utf8').includes(MARKER))
    throw new InputError(`${path} was not written by docker-layers; left as it is`)
  rmSync(path)
  const chained = join(dir, CHAINED)
  if (existsSync(chained)) {
    renameSync(chained, path)
    return {path, restored: true, removed: true}
  }
  return {path, restored: false, removed: true}
}
