// The program bin/run.js starts: as `docker-layers` and as the Docker CLI plugin `docker layers`. `npm run build`
// bundles it with @oclif/core into dist/cli.js (scripts/bundle-cli.ts), so that start-up reads one file.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {execute, type Interfaces} from '@oclif/core'

import {globalEngineOptions} from './engine/context.js'
import {packageRoot} from './package-root.js'
import {commandName, parsePluginArgv, pluginMetadata} from './plugin/argv.js'

const root = packageRoot()
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Interfaces.PJSON
const argv = process.argv.slice(2)
if (argv[0] === 'docker-cli-plugin-metadata') {
  process.stdout.write(`${JSON.stringify(pluginMetadata(pjson.version), null, 2)}\n`)
} else {
  const {args, engine} = parsePluginArgv(argv, process.env)
  Object.assign(globalEngineOptions, engine)
  // help, examples and errors name the command as the user runs it: `docker layers` under the docker CLI
  const bin = commandName(process.env)
  await execute({args, loadOptions: {root, pjson: {...pjson, oclif: {...pjson.oclif, bin}}}})
}
