import {parseFamiliarName} from '@swimlane/docker-reference'

import {InputError} from '../errors.js'

/** The tag `-t` gives the flattened image, in each form an archive or the engine names it by. */
export interface ImageTag {
  /** Docker's familiar form, as `docker save` writes RepoTags: `app:1`, `localhost:5000/team/app:latest`. */
  familiar: string
  /** Fully qualified, as containerd's `io.containerd.image.name` annotation: `docker.io/library/app:1`. */
  qualified: string
  /** The tag alone, as OCI's `org.opencontainers.image.ref.name` annotation in an image layout's index. */
  tag: string
}

/** Parses `-t REPO[:TAG]` by docker's reference grammar; the tag is `latest` when none is given, as docker does. */
export function parseImageTag(reference: string): ImageTag {
  let parsed
  try {
    parsed = parseFamiliarName(reference)
  } catch (error) {
    throw new InputError(`-t ${reference}: ${(error as Error).message}`)
  }
  if (parsed.digest) throw new InputError(`-t ${reference}: a tag is REPO:TAG, not a digest`)
  const domain = parsed.domain as string
  const repository = parsed.repository as string
  const tag = parsed.tag ?? 'latest'
  const name = domain === 'docker.io' ? repository.replace(/^library\//, '') : `${domain}/${repository}`
  return {familiar: `${name}:${tag}`, qualified: `${domain}/${repository}:${tag}`, tag}
}
