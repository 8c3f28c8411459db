#!/usr/bin/env node
// Works as `docker-layers` and as the Docker CLI plugin `docker layers`.
import {readFileSync} from 'node:fs'
import {execute} from '@oclif/core'

import {globalEngineOptions} from '../dist/engine/context.js'
import {parsePluginArgv, pluginMetadata} from '../dist/plugin/argv.js'

const argv = process.argv.slice(2)
if (argv[0] === 'docker-cli-plugin-metadata') {
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${JSON.stringify(pluginMetadata(version), null, 2)}\n`)
} else {
  const {args, engine} = parsePluginArgv(argv, process.env)
  Object.assign(globalEngineOptions, engine)
  await execute({args, dir: import.meta.url})
}
