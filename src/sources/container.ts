import {connect, engineError} from '../engine/client.js'
import type {EngineOptions} from '../engine/context.js'
import {InputError} from '../errors.js'
import type {ContainerInfo, PathStat} from '../image/container.js'

const KINDS = ['C', 'A', 'D'] as const
/** The file type in Go's os.FileMode bits, as the engine's archive stat reports them. */
function typeOf(mode: number): PathStat['type'] {
  const bits = BigInt(mode)
  if (bits & (1n << 31n)) return 'dir'
  if (bits & (1n << 27n)) return 'symlink'
  const special = (1n << 26n) | (1n << 25n) | (1n << 24n) | (1n << 21n) | (1n << 19n)
  return bits & special ? 'other' : 'file'
}

/** A container's identity, mounts and `docker container diff`, from the engine. */
export async function readContainer(ref: string, options: EngineOptions): Promise<ContainerInfo> {
  const engine = await connect(options)
  const container = engine.docker.getContainer(ref)
  let inspect: {
    Id: string
    Name: string
    Image: string
    Config?: {Image?: string}
    State?: {Status?: string}
    Mounts?: Array<{Destination: string}>
  }
  let changes: Array<{Path: string; Kind: number}> | Buffer
  try {
    inspect = await container.inspect()
    changes = await container.changes()
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) throw new InputError(`container not found: ${ref}`)
    throw engineError(engine, error)
  }
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image: inspect.Image,
    imageRef: inspect.Config?.Image ?? inspect.Image,
    state: inspect.State?.Status ?? 'unknown',
    mountPoints: (inspect.Mounts ?? []).map((m) => m.Destination),
    // the engine answers `null` for a container without changes, which docker-modem hands back as the raw body
    // (`parseJSON(body) || buffer`): a Buffer, not a list
    changes: (Array.isArray(changes) ? changes : [])
      .map((c) => ({kind: KINDS[c.Kind] ?? 'C', path: c.Path}))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    async stat(paths) {
      const stats = new Map<string, PathStat>()
      const queue = [...paths]
      const worker = async () => {
        for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
          try {
            const info = (await container.infoArchive({path})) as {
              headers?: Record<string, string>
              resume?: () => void
            }
            info.resume?.()
            const header = info.headers?.['x-docker-container-path-stat']
            if (!header) continue
            const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
              size: number
              mode: number
              linkTarget: string
            }
            stats.set(path, {type: typeOf(stat.mode), size: stat.size, linkTarget: stat.linkTarget})
          } catch (error) {
            if ((error as {statusCode?: number}).statusCode !== 404) throw engineError(engine, error)
          }
        }
      }
      await Promise.all(Array.from({length: 8}, worker))
      return stats
    },
  }
}
