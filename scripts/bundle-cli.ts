// Bundles the CLI with esbuild into dist/: cli.js (what bin/run.js starts, with @oclif/core), commands.js (every
// command, package.json's `oclif.commands`) and the command_not_found hook, their shared code split into chunks.
// Start-up then reads a few files instead of resolving and compiling hundreds of modules (docs/performance.md).
// Modules that only some runs need stay outside and load when asked for: the engine client (dockerode), the
// registry transport (undici), zstd-napi (native) and typescript (oclif's development mode only).
import {readdirSync} from 'node:fs'

import {build} from 'esbuild'

const commands = readdirSync('src/commands', {recursive: true, encoding: 'utf8'}).filter((file) => file.endsWith('.ts'))

await build({
  entryPoints: {
    cli: 'src/cli.ts',
    ...Object.fromEntries(commands.map((file) => [`commands/${file.replace(/\.ts$/, '')}`, `src/commands/${file}`])),
    'oclif-hooks/command-not-found': 'src/oclif-hooks/command-not-found.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['dockerode', 'undici', 'zstd-napi', 'typescript'],
  // the CommonJS packages inside (oclif's among them) require Node's own modules
  banner: {
    js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: false,
  logLevel: 'warning',
})
