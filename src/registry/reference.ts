import {isIP} from 'node:net'

import {InputError} from '../errors.js'

/** Docker Hub: how references name it, where its API is served, and the key its credentials are stored under. */
export const DOCKER_HUB = 'docker.io'
const DOCKER_HUB_API = 'registry-1.docker.io'
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/'

/** An image in a registry, named by skopeo's `docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST]`. */
export interface RegistryReference {
  /** The registry as references name it: `docker.io`, `HOST`, `HOST:PORT`. */
  registry: string
  /** Where its API is served (`registry-1.docker.io` for Docker Hub). */
  apiHost: string
  /** The repository, with Docker Hub's `library/` for official images. */
  repository: string
  /** The tag (`latest` when neither tag nor digest is given). */
  tag?: string
  /** `sha256:…`: the manifest digest, when the reference pins one (it wins over a tag). */
  digest?: string
}

// distribution's reference grammar (reference/regexp.go)
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^sha256:[0-9a-f]{64}$/

/** Whether `host` (a registry, with or without its port) is this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopback(host: string): boolean {
  const name = hostname(host)
  if (name === 'localhost') return true
  if (isIP(name) === 4) return name.startsWith('127.')
  return name === '::1'
}

/** A registry's host name without its port (and without the brackets of an IPv6 address). */
export function hostname(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host)
  if (bracketed) return bracketed[1]
  return host.replace(/:\d+$/, '').toLowerCase()
}

function validRegistry(host: string): boolean {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(host)
  if (bracketed) return isIP(bracketed[1]) === 6
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(host)
  return m !== null && m[1].split('.').every((part) => DOMAIN_COMPONENT.test(part))
}

/** Docker's rule: the first part names a host when it has a `.` or a `:`, is `localhost`, or has capitals. */
function splitRegistry(name: string): [string, string] {
  const slash = name.indexOf('/')
  const first = name.slice(0, slash)
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first === first.toLowerCase()))
    return [DOCKER_HUB, name]
  return [first, name.slice(slash + 1)]
}

/**
 * Parses what follows `docker://`, with docker's naming rules: `alpine` is `docker.io/library/alpine:latest`, a
 * first part with a `.` or `:` or `localhost` is a host. `text` names the reference in errors.
 */
export function parseReference(reference: string, text = `docker://${reference}`): RegistryReference {
  const bad = (why: string) => new InputError(`${text}: not a valid image reference (${why})`)
  if (reference === '') throw bad('empty')
  let rest = reference
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw bad(`the digest must be sha256: and 64 lowercase hex digits`)
  }
  let [registry, path] = splitRegistry(rest)
  let tag: string | undefined
  const colon = path.lastIndexOf(':')
  if (colon !== -1) {
    tag = path.slice(colon + 1)
    path = path.slice(0, colon)
    if (!TAG.test(tag)) throw bad(`bad tag ${JSON.stringify(tag)}`)
  }
  if (!validRegistry(registry)) throw bad(`bad registry host ${JSON.stringify(registry)}`)
  if (registry === 'index.docker.io') registry = DOCKER_HUB
  if (path === '') throw bad('no repository')
  const parts = path.split('/')
  for (const part of parts)
    if (!PATH_COMPONENT.test(part))
      throw bad(
        part !== part.toLowerCase()
          ? 'repository names are lowercase'
          : `bad repository part ${JSON.stringify(part)}: letters, digits and single . _ __ or - between them`,
      )
  if (registry === DOCKER_HUB && parts.length === 1) path = `library/${path}`
  if (registry.length + 1 + path.length > 255) throw bad('longer than 255 characters')
  const ref: RegistryReference = {
    registry,
    apiHost: registry === DOCKER_HUB ? DOCKER_HUB_API : registry,
    repository: path,
  }
  if (tag !== undefined || digest === undefined) ref.tag = tag ?? 'latest'
  if (digest !== undefined) ref.digest = digest
  return ref
}

/** The reference in full, `docker://docker.io/library/alpine:latest`, as messages and reports name it. */
export function formatReference(ref: RegistryReference): string {
  return `docker://${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/** What the manifest endpoint takes: the digest when there is one, else the tag. */
export function manifestReference(ref: RegistryReference): string {
  return ref.digest ?? (ref.tag as string)
}
