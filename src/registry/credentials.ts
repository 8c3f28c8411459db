import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {InputError} from '../errors.js'
import {DOCKER_HUB, DOCKER_HUB_AUTH_KEY} from './reference.js'

/** What a registry is told about who is asking. */
export interface Credential {
  username?: string
  password?: string
  /** An OAuth2 refresh token (what `docker login` stores for some registries), exchanged for access tokens. */
  identityToken?: string
  /** A bearer token sent as it is. */
  registryToken?: string
}

/** A credential and where it was found, for messages. */
export interface FoundCredential {
  credential: Credential
  from: string
}

export interface CredentialOptions {
  /** `--creds USER:PASS`, which overrides every file. */
  creds?: string
  env?: NodeJS.ProcessEnv
}

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  registrytoken?: string
}

/** The parts of docker's config.json (and podman's auth.json, the same shape) that hold credentials. */
interface AuthFile {
  auths?: Record<string, AuthEntry>
  credHelpers?: Record<string, string>
  credsStore?: string
}

const HUB_NAMES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io'])

/**
 * A config key as the registry (docker's ConvertToHostname: no scheme, no `/v1/`, Docker Hub's names as one) or, in
 * podman's files, the registry and namespace it names.
 */
function normalizeKey(name: string, namespaced: boolean): string {
  const bare = name
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\/v[12]$/, '')
  const [host, ...rest] = bare.split('/')
  const registry = HUB_NAMES.has(host) ? DOCKER_HUB : host
  return namespaced && rest.length > 0 ? `${registry}/${rest.join('/')}` : registry
}

function readAuthFile(path: string): AuthFile | undefined {
  if (!existsSync(path)) return undefined
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  try {
    const parsed = JSON.parse(text) as unknown
    return parsed !== null && typeof parsed === 'object' ? (parsed as AuthFile) : {}
  } catch (error) {
    throw new InputError(`${path} is not valid JSON (${(error as Error).message})`)
  }
}

/** An `auths` entry as a credential: base64 `auth` (USER:PASS) or its parts, an identity or registry token. */
function entryCredential(entry: AuthEntry): Credential | undefined {
  const credential: Credential = {}
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon !== -1) {
      credential.username = decoded.slice(0, colon)
      credential.password = decoded.slice(colon + 1)
    }
  } else if (entry.username) {
    credential.username = entry.username
    credential.password = entry.password ?? ''
  }
  if (entry.identitytoken) credential.identityToken = entry.identitytoken
  if (entry.registrytoken) credential.registryToken = entry.registrytoken
  return Object.keys(credential).length > 0 ? credential : undefined
}

/**
 * Runs `docker-credential-NAME get` with the server on stdin, as docker does: a `<token>` user means the secret is
 * an identity token; "credentials not found" means none.
 */
async function fromHelper(name: string, server: string, env: NodeJS.ProcessEnv): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`
  const {code, stdout, stderr} = await new Promise<{code: number | null; stdout: string; stderr: string}>(
    (resolve, reject) => {
      const child = spawn(program, ['get'], {env, stdio: ['pipe', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          new InputError(
            error.code === 'ENOENT'
              ? `the credential helper ${program} is not on PATH (the docker config names it for ${server})`
              : `${program}: ${error.message}`,
          ),
        ),
      )
      child.on('close', (exitCode) => resolve({code: exitCode, stdout, stderr}))
      child.stdin.on('error', () => {})
      child.stdin.end(server)
    },
  )
  const said = (stdout.trim() || stderr.trim()).split('\n')[0]
  if (code !== 0) {
    if (/credentials not found/i.test(said)) return undefined
    throw new InputError(`${program} get failed for ${server}: ${said || `exit code ${code}`}`)
  }
  let answer: {Username?: string; Secret?: string}
  try {
    answer = JSON.parse(stdout) as {Username?: string; Secret?: string}
  } catch {
    throw new InputError(`${program} get answered ${server} with something that is not JSON`)
  }
  if (!answer.Secret) return undefined
  return answer.Username === '<token>'
    ? {identityToken: answer.Secret}
    : {username: answer.Username ?? '', password: answer.Secret}
}

/**
 * Looks a registry up in one auth file: its credential helper, then the file's store, then its `auths` entry.
 * `keys` are the entry names to try, most specific first; `namespaced` (podman's files) lets a key name a namespace.
 */
async function fromAuthFile(
  path: string,
  file: AuthFile,
  registry: string,
  keys: string[],
  namespaced: boolean,
  env: NodeJS.ProcessEnv,
): Promise<FoundCredential | undefined> {
  const server = registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry
  const helper = Object.entries(file.credHelpers ?? {}).find(([key]) => normalizeKey(key, false) === registry)
  if (helper) {
    const credential = await fromHelper(helper[1], server, env)
    if (credential) return {credential, from: `docker-credential-${helper[1]} (credHelpers in ${path})`}
  }
  if (file.credsStore) {
    const credential = await fromHelper(file.credsStore, server, env)
    if (credential) return {credential, from: `docker-credential-${file.credsStore} (credsStore in ${path})`}
  }
  const auths = Object.entries(file.auths ?? {})
  for (const key of keys) {
    const entry = auths.find(([name]) => normalizeKey(name, namespaced) === key)
    const credential = entry && entryCredential(entry[1])
    if (credential) return {credential, from: path}
  }
  return undefined
}

/** `--creds USER:PASS`, skopeo's form. */
function parseCreds(creds: string): Credential {
  const colon = creds.indexOf(':')
  if (colon <= 0) throw new InputError('--creds: expected USER:PASS')
  return {username: creds.slice(0, colon), password: creds.slice(colon + 1)}
}

/**
 * The credential for a repository, found as docker and podman find it: `--creds` first; then docker's
 * `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`): its credHelpers for the host, its credsStore, its
 * auths; then podman's `$REGISTRY_AUTH_FILE` (else `$XDG_RUNTIME_DIR/containers/auth.json`), whose entries may name
 * a namespace or repository. Undefined when none has one: the registry is asked anonymously.
 */
export async function findCredential(
  registry: string,
  repository: string,
  options: CredentialOptions = {},
): Promise<FoundCredential | undefined> {
  if (options.creds !== undefined) return {credential: parseCreds(options.creds), from: '--creds'}
  const env = options.env ?? process.env
  const dockerConfig = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json')
  const docker = readAuthFile(dockerConfig)
  if (docker) {
    const found = await fromAuthFile(dockerConfig, docker, registry, [registry], false, env)
    if (found) return found
  }
  const podmanFile =
    env.REGISTRY_AUTH_FILE || (env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined)
  const podman = podmanFile ? readAuthFile(podmanFile) : undefined
  if (!podmanFile || !podman) return undefined
  const parts = repository.split('/')
  const keys = parts.map((_, i) => `${registry}/${parts.slice(0, parts.length - i).join('/')}`)
  return fromAuthFile(podmanFile, podman, registry, [...keys, registry], true, env)
}
