#!/usr/bin/env node
// Works as `docker-layers` and as the Docker CLI plugin `docker layers`.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {execute} from '@oclif/core'

import {globalEngineOptions} from '../dist/engine/context.js'
import {commandName, parsePluginArgv, pluginMetadata} from '../dist/plugin/argv.js'

const root = new URL('..', import.meta.url)
const pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
const argv = process.argv.slice(2)
if (argv[0] === 'docker-cli-plugin-metadata') {
  process.stdout.write(`${JSON.stringify(pluginMetadata(pjson.version), null, 2)}\n`)
} else {
  const {args, engine} = parsePluginArgv(argv, process.env)
  Object.assign(globalEngineOptions, engine)
  // help, examples and errors name the command as the user runs it: `docker layers` under the docker CLI
  const bin = commandName(process.env)
  await execute({args, loadOptions: {root: fileURLToPath(root), pjson: {...pjson, oclif: {...pjson.oclif, bin}}}})
}
