// What the engine says of a container: the shapes the container source yields and the analysis reads.

/** A change `docker container diff` reports: A added, C changed, D deleted. */
export interface ContainerChange {
  kind: 'A' | 'C' | 'D'
  path: string
}

/** What the engine says of a path in the container (its archive stat). */
export interface PathStat {
  type: 'file' | 'dir' | 'symlink' | 'other'
  size: number
  linkTarget: string
}

/** A container as the engine describes it: identity, mounts, `docker container diff`, and a stat of its paths. */
export interface ContainerInfo {
  id: string
  name: string
  /** The image's ID. */
  image: string
  /** The image as the container was created from it (a name, or the ID). */
  imageRef: string
  state: string
  mountPoints: string[]
  changes: ContainerChange[]
  /** Looks up the engine's stat of paths in the container (HEAD of the archive endpoint). */
  stat(paths: string[]): Promise<Map<string, PathStat>>
}
