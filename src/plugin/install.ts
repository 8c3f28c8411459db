import {lstat, mkdir, readlink, rm, symlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {dockerConfigDir, type EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import {packageRoot} from '../package-root.js'

/** The executable that answers as the plugin: this package's bin/run.js. */
export function pluginBinary(): string {
  return join(packageRoot(), 'bin', 'run.js')
}

export function pluginPath(options: EngineOptions = {}): string {
  return join(dockerConfigDir(options), 'cli-plugins', 'docker-layers')
}

async function linkTarget(path: string): Promise<string | undefined> {
  const stat = await lstat(path).catch(() => undefined)
  if (!stat) return undefined
  if (!stat.isSymbolicLink())
    throw new InputError(`${path} exists and is not a link made by docker-layers; remove it first`)
  return readlink(path)
}

/** Links the binary as $DOCKER_CONFIG/cli-plugins/docker-layers. Returns the link's path. */
export async function installPlugin(options: EngineOptions = {}): Promise<{path: string; target: string}> {
  const path = pluginPath(options)
  const target = pluginBinary()
  await mkdir(dirname(path), {recursive: true})
  if ((await linkTarget(path)) !== undefined) await rm(path)
  await symlink(target, path)
  return {path, target}
}

/** Removes the link; false when there was none. */
export async function uninstallPlugin(options: EngineOptions = {}): Promise<{path: string; removed: boolean}> {
  const path = pluginPath(options)
  if ((await linkTarget(path)) === undefined) return {path, removed: false}
  await rm(path)
  return {path, removed: true}
}
