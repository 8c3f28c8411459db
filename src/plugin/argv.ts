import type {EngineOptions} from '../engine/context.js'

export const PLUGIN_NAME = 'layers'

/** docker's global flags that take a value, by every spelling. */
const VALUE_FLAGS: Record<string, keyof EngineOptions | 'ignored'> = {
  '--config': 'config',
  '-c': 'context',
  '--context': 'context',
  '-H': 'host',
  '--host': 'host',
  '-l': 'ignored',
  '--log-level': 'ignored',
  '--tlscacert': 'tlscacert',
  '--tlscert': 'tlscert',
  '--tlskey': 'tlskey',
}
const BOOLEAN_FLAGS: Record<string, 'tls' | 'tlsverify' | 'ignored'> = {
  '--tls': 'tls',
  '--tlsverify': 'tlsverify',
  '-D': 'ignored',
  '--debug': 'ignored',
}

export interface PluginInvocation {
  /** The user's own arguments, for oclif. */
  args: string[]
  /** Engine options taken from docker's global flags. */
  engine: EngineOptions
}

/**
 * When the docker CLI runs a plugin it passes its own global flags, then the plugin's name, then the
 * user's arguments. This takes the engine flags from that prefix and drops it. Outside the docker CLI
 * the arguments are the user's as they are.
 */
export function parsePluginArgv(argv: string[], env: NodeJS.ProcessEnv): PluginInvocation {
  if (!env.DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND) return {args: argv, engine: {}}
  const engine: EngineOptions = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === PLUGIN_NAME) return {args: argv.slice(i + 1), engine}
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    if (name in VALUE_FLAGS) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
      const key = VALUE_FLAGS[name]
      if (key !== 'ignored' && value !== undefined) (engine as Record<string, string>)[key] = value
    } else if (name in BOOLEAN_FLAGS) {
      const key = BOOLEAN_FLAGS[name]
      if (key !== 'ignored') engine[key] = eq === -1 || arg.slice(eq + 1) !== 'false'
    } else {
      break // not docker's prefix after all
    }
  }
  return {args: argv, engine: {}}
}

/** What `docker-layers docker-cli-plugin-metadata` prints for the docker CLI. */
export function pluginMetadata(version: string): Record<string, string> {
  return {
    SchemaVersion: '0.1.0',
    Vendor: 'docker-layers',
    Version: version,
    ShortDescription: 'See where the bytes in an image go, layer by layer',
    URL: 'https://github.com/docker-layers/docker-layers',
  }
}
