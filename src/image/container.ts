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
