import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import type {RegistryOptions} from '../registry/client.js'
import type {OutputCompression} from './compress.js'
import type {FlattenTarget} from './flatten.js'
import type {OutputFormat} from './write.js'

/** What flatten was asked for: -o, -t, --output-format, --compress, and how an engine or a registry is reached. */
export interface TargetRequest {
  output?: string
  tag?: string
  outputFormat: string
  compress?: string
  engine: EngineOptions
  registry: RegistryOptions
}

/**
 * Where the flattened image goes, the combinations checked: an archive (-o, naming -t's tag), a registry
 * (-t docker://…, gzip unless --compress says otherwise) or the engine (-t, uncompressed).
 */
export function flattenTarget(request: TargetRequest): FlattenTarget {
  const {output, tag} = request
  const push = tag?.startsWith('docker://') ?? false
  if (push && output) throw new InputError('-t docker://… pushes to a registry; -o writes an archive: give one')
  if (!output && request.outputFormat !== 'docker-archive') throw new InputError('--output-format goes with -o')
  if (!output && !push && (request.compress ?? 'uncompressed') !== 'uncompressed')
    throw new InputError('-t loads an uncompressed docker-archive; --compress goes with -o or a push')
  if (output)
    return {
      file: output,
      format: request.outputFormat as OutputFormat,
      compression: (request.compress ?? 'uncompressed') as OutputCompression,
      tag,
    }
  if (push)
    return {
      registry: tag as string,
      options: request.registry,
      compression: (request.compress ?? 'gzip') as OutputCompression,
    }
  return {tag: tag as string, engine: request.engine}
}
