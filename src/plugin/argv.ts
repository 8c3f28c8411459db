import {type EngineOptions, layered} from '../engine/context.js'

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

/** Whether the docker CLI runs us as its plugin `docker layers`. */
function asPlugin(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND)
}

/** The command as the user typed it: `docker layers` under the docker CLI, else `docker-layers`. */
export function commandName(env: NodeJS.ProcessEnv): string {
  return asPlugin(env) ? `docker ${PLUGIN_NAME}` : 'docker-layers'
}

/** docker's global flags at the front of `argv`: the engine options they set, and where the rest begins. */
function globalFlags(argv: string[]): {engine: EngineOptions; rest: number} {
  const engine: EngineOptions = {}
  let i = 0
  for (; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    if (name in VALUE_FLAGS) {
      const value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1)
      if (value === undefined) break
      if (eq === -1) i++
      const key = VALUE_FLAGS[name]
      if (key !== 'ignored') (engine as Record<string, string>)[key] = value
    } else if (name in BOOLEAN_FLAGS) {
      const key = BOOLEAN_FLAGS[name]
      if (key !== 'ignored') engine[key] = eq === -1 || arg.slice(eq + 1) !== 'false'
    } else {
      break
    }
  }
  return {engine, rest: i}
}

/**
 * When the docker CLI runs a plugin it passes its own global flags, then the plugin's name, then the user's
 * arguments. This takes the engine flags from that prefix and drops it. The same flags are taken before the
 * command too, where a user of `docker layers --context prod analyze` or `docker-layers -H ssh://box analyze`
 * puts them; those win over docker's, as a command's own --context or -H wins over both.
 */
export function parsePluginArgv(argv: string[], env: NodeJS.ProcessEnv): PluginInvocation {
  let docker: EngineOptions = {}
  let user = argv
  if (asPlugin(env)) {
    const prefix = globalFlags(argv)
    // not docker's prefix after all: the arguments are the user's
    if (argv[prefix.rest] === PLUGIN_NAME) {
      docker = prefix.engine
      user = argv.slice(prefix.rest + 1)
    }
  }
  const leading = globalFlags(user)
  return {args: user.slice(leading.rest), engine: layered(docker, leading.engine)}
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
