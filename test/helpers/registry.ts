// A private registry for the tests: Debian's docker-registry (distribution 2.8) on loopback with its own config
// (no auth, htpasswd, or a Bearer challenge answered by a token service the test serves), stopped by pid. Images
// go in with skopeo.
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {awaitDaemon, freePort, portOpen, stopDaemon} from './daemon.js'

export type RegistryAuth =
  {kind: 'none'} | {kind: 'htpasswd'; user: string; password: string} | {kind: 'token'; realm: string; service: string}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  dir: string
  /** The registry's log (requests and errors), for failure messages. */
  log(): string
  stop(): Promise<void>
}

/** A self-signed certificate for 127.0.0.1, made with openssl. */
export function selfSignedCertificate(dir: string): {cert: string; key: string} {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ].concat(['-addext', 'subjectAltName=IP:127.0.0.1']),
    {stdio: 'ignore'},
  )
  return {cert, key}
}

export async function startRegistry(
  options: {auth?: RegistryAuth; tls?: {cert: string; key: string}} = {},
): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'dl-registry-'))
  const port = await freePort()
  const auth = options.auth ?? {kind: 'none'}
  let authConfig = ''
  if (auth.kind === 'htpasswd') {
    const file = join(dir, 'htpasswd')
    writeFileSync(file, execFileSync('htpasswd', ['-Bbn', auth.user, auth.password]))
    authConfig = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${file}\n`
  } else if (auth.kind === 'token') {
    authConfig = `auth:\n  silly:\n    realm: ${auth.realm}\n    service: ${auth.service}\n`
  }
  const tls = options.tls ? `  tls:\n    certificate: ${options.tls.cert}\n    key: ${options.tls.key}\n` : ''
  const config = join(dir, 'config.yml')
  writeFileSync(
    config,
    `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${tls}${authConfig}`,
  )
  const logFile = join(dir, 'registry.log')
  const out = openSync(logFile, 'a')
  const child = spawn('docker-registry', ['serve', config], {detached: true, stdio: ['ignore', out, out]})
  child.unref()
  // a suite that ends without its after hook (an error, Ctrl-C) still stops its registry
  const onExit = () => child.exitCode === null && child.pid && process.kill(child.pid, 'SIGTERM')
  process.once('exit', onExit)
  const host = `127.0.0.1:${port}`
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
  await awaitDaemon('docker-registry', child, async () => (await portOpen(port)) || '', {
    log: logFile,
    seconds: 30,
    pollMs: 100,
  })
  return {
    host,
    dir,
    log,
    async stop() {
      process.removeListener('exit', onExit)
      await stopDaemon(child, 10)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/**
 * `skopeo copy SOURCE docker://HOST/REF`, with its flags for a plain-HTTP loopback registry. Asynchronous: the token
 * service skopeo asks runs in this process.
 */
export async function skopeoPush(source: string, destination: string, extra: string[] = []): Promise<void> {
  const child = spawn('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...extra, source, destination], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`skopeo copy ${source} ${destination} failed: ${stderr}`)
}

/** What the token service was asked. */
export interface TokenRequest {
  method: string
  service: string | null
  scopes: string[]
  authorization?: string
  /** The OAuth2 form of a POST. */
  form?: Record<string, string>
  /** The token it was given. */
  issued?: string
}

/**
 * A token service for the registry's `silly` Bearer challenge, which accepts any token: this one records each
 * request's service, scopes and credential, and issues `token-N` (to `user:password` only, when `basic` is given),
 * or, for an OAuth2 refresh, `access-N` and a new refresh token `refresh-N` (to `refresh-0` and its successors).
 */
export async function startTokenService(
  options: {basic?: {user: string; password: string}; tokenField?: 'token' | 'access_token'; expiresIn?: number} = {},
): Promise<{realm: string; requests: TokenRequest[]; stop(): Promise<void>}> {
  const requests: TokenRequest[] = []
  let issued = 0
  let refresh = 'refresh-0'
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString()
  }
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const body = await readBody(req)
      const form = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : undefined
      const logged: TokenRequest = {
        method: req.method ?? '',
        service: form ? (form.service ?? null) : url.searchParams.get('service'),
        scopes: form ? (form.scope ?? '').split(' ').filter(Boolean) : url.searchParams.getAll('scope'),
        ...(req.headers.authorization ? {authorization: req.headers.authorization} : {}),
        ...(form ? {form} : {}),
      }
      requests.push(logged)
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, {'content-type': 'application/json'})
        res.end(JSON.stringify(json))
      }
      issued++
      if (form) {
        if (form.grant_type !== 'refresh_token' || form.refresh_token !== refresh) return answer(401, {error: 'no'})
        refresh = `refresh-${issued}`
        logged.issued = `access-${issued}`
        return answer(200, {access_token: logged.issued, refresh_token: refresh, expires_in: 300})
      }
      if (options.basic) {
        const expected = `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')}`
        if (req.headers.authorization !== expected) return answer(401, {details: 'bad credentials'})
      }
      logged.issued = `token-${issued}`
      answer(200, {[options.tokenField ?? 'token']: logged.issued, expires_in: options.expiresIn ?? 300})
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
