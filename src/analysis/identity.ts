import type {Image} from '../image/image.js'

/** The version of every JSON report's shape (docs/schemas); it changes only when a field goes or changes meaning. */
export const SCHEMA_VERSION = 2

/** The identity block every image report carries. */
export interface ImageIdentity {
  /** config digest */
  id: string | null
  repoTags: string[]
  os: string | null
  architecture: string | null
  created: string | null
}

/** The identity block every report carries. */
export function describeImage(image: Image): ImageIdentity {
  return {
    id: image.id ?? null,
    repoTags: image.repoTags,
    os: image.config.os ?? null,
    architecture: image.config.architecture ?? null,
    created: image.config.created ?? null,
  }
}
