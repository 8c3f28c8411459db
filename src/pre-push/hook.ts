import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {InputError} from '../errors.js'
import {pluginBinary} from '../plugin/install.js'

const MARKER = '# docker-layers pre-push hook'
const CHAINED = 'pre-push.docker-layers-chained'

/** The hooks directory git uses here, core.hooksPath included. */
export function hooksDir(cwd: string): string {
  try {
    const path = execFileSync('git', ['rev-parse', '--git-path', 'hooks'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim()
    return resolve(cwd, path)
  } catch {
    throw new InputError(`${cwd} is not inside a git repository`)
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`
}

function script(images: string[]): string {
  const command = [process.execPath, pluginBinary(), 'check', '--quiet', ...images].map(quote).join(' ')
  return `#!/bin/sh
${MARKER}: refuses the push when \`docker-layers check\` fails.
# \`docker-layers hook uninstall\` removes it and restores the hook that was here before.
chained="$(dirname "$0")/${CHAINED}"
if [ -x "$chained" ]; then
  input=$(cat)
  if [ -n "$input" ]; then printf '%s\\n' "$input"; fi | "$chained" "$@" || exit $?
fi
exec ${command}
`
}

/** Writes the pre-push hook, keeping an existing foreign hook as a chained one. */
export function installHook(cwd: string, images: string[]): {path: string; chained: boolean} {
  const dir = hooksDir(cwd)
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
