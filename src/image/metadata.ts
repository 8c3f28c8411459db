// What `docker image inspect` and `docker history` say of an image: the shape the metadata source yields.

/** One layer as `docker image inspect` / `docker history` describe it, without its contents. */
export interface MetadataLayer {
  digest: string | null
  createdBy: string | null
  created: string | null
  /** The engine's size for the layer; null when only `inspect` was given. */
  bytes: number | null
}

/** What metadata alone says of an image: enough for sizes and commands, nothing about files. */
export interface MetadataImage {
  source: {kind: 'metadata'; name: string}
  id: string | null
  repoTags: string[]
  os: string | null
  architecture: string | null
  created: string | null
  /** The image size `inspect` reports, when given. */
  size: number | null
  layers: MetadataLayer[]
  /** True when sizes came from `docker history`'s human format ("5.24MB"), so are rounded. */
  approximate: boolean
}
