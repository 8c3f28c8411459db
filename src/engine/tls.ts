import {existsSync, readFileSync} from 'node:fs'
import type {AgentOptions} from 'node:https'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {InputError} from '../errors.js'

/** A PEM file and where it came from. */
export interface PemFile {
  path: string
  pem: string
}

/** TLS to a tcp:// engine, as the docker CLI sets it up from its flags, its environment or a context. */
export interface TlsSettings {
  /** Verify the engine's certificate (--tlsverify, DOCKER_TLS_VERIFY, a context without skip-tls-verify). */
  verify: boolean
  ca?: PemFile
  cert?: PemFile
  key?: PemFile
  /** Where the files were looked for, for messages: `DOCKER_CERT_PATH /x`, `context "prod" (…)`. */
  from: string
}

/** The TLS flags of the docker CLI, given to the plugin by docker or to a command by the user. */
export interface TlsOptions {
  tls?: boolean
  tlsverify?: boolean
  tlscacert?: string
  tlscert?: string
  tlskey?: string
}

function read(path: string): PemFile {
  return {path, pem: readFileSync(path, 'utf8')}
}

function pair(cert: PemFile | undefined, key: PemFile | undefined, from: string): void {
  if (cert && !key) throw new InputError(`${from} has a client certificate (${cert.path}) but no key (key.pem)`)
  if (key && !cert) throw new InputError(`${from} has a client key (${key.path}) but no certificate (cert.pem)`)
}

/**
 * TLS for the default context (an engine from -H or DOCKER_HOST), as the docker CLI decides it: on with --tls,
 * --tlsverify (given at all), DOCKER_TLS or DOCKER_TLS_VERIFY (any non-empty value); verifying unless only
 * --tls/DOCKER_TLS asked for it. The files are ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (else the
 * docker config directory), or the --tlscacert/--tlscert/--tlskey paths. The CA must exist, as docker requires;
 * a client certificate and key are optional unless named by a flag.
 */
export function tlsFromFlags(options: TlsOptions, env: NodeJS.ProcessEnv): TlsSettings | undefined {
  const verify = options.tlsverify ?? Boolean(env.DOCKER_TLS_VERIFY)
  const on = verify || options.tlsverify !== undefined || (options.tls ?? Boolean(env.DOCKER_TLS))
  if (!on) return undefined
  const dir = env.DOCKER_CERT_PATH || env.DOCKER_CONFIG || join(homedir(), '.docker')
  const from = env.DOCKER_CERT_PATH ? `DOCKER_CERT_PATH ${dir}` : `${dir} (DOCKER_CERT_PATH is not set)`
  const file = (flag: string, given: string | undefined, name: string): PemFile | undefined => {
    if (given !== undefined) {
      if (!existsSync(given)) throw new InputError(`${flag} ${given}: no such file`)
      return read(given)
    }
    const path = join(dir, name)
    return existsSync(path) ? read(path) : undefined
  }
  const ca = file('--tlscacert', options.tlscacert, 'ca.pem')
  if (!ca) throw new InputError(`TLS needs the engine's CA certificate: ${from} has no ca.pem`)
  const cert = file('--tlscert', options.tlscert, 'cert.pem')
  const key = file('--tlskey', options.tlskey, 'key.pem')
  pair(cert, key, from)
  return {verify, ca, cert, key, from}
}

/**
 * TLS for a context's docker endpoint: its files (ca.pem, cert.pem, key.pem in the context store's tls folder)
 * and skip-tls-verify. Off when the context has neither, as in the docker CLI.
 */
export function tlsFromContext(dir: string, skipVerify: boolean, name: string): TlsSettings | undefined {
  const file = (name: string) => (existsSync(join(dir, name)) ? read(join(dir, name)) : undefined)
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')]
  if (!ca && !cert && !key && !skipVerify) return undefined
  const from = `context "${name}" (${dir})`
  pair(cert, key, from)
  return {verify: !skipVerify, ca, cert, key, from}
}

/** The https agent's options: present the client certificate, check the engine's as the settings say. */
export function tlsAgentOptions(tls: TlsSettings): AgentOptions {
  return {ca: tls.ca?.pem, cert: tls.cert?.pem, key: tls.key?.pem, rejectUnauthorized: tls.verify}
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
])
const CLIENT_REFUSED = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
])

/** What a TLS failure means for the person at the keyboard, or undefined when it is not one. */
export function explainTlsFailure(
  error: NodeJS.ErrnoException & {reason?: string},
  tls: TlsSettings | undefined,
): string | undefined {
  const code = error.code ?? ''
  if (!tls) return undefined
  if (UNTRUSTED.has(code))
    return tls.ca
      ? `the engine's certificate is not signed by the CA in ${tls.ca.path}`
      : `the engine's certificate is not signed by a CA this machine trusts`
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the engine's certificate is for another host: ${error.reason}`
  if (code === 'CERT_HAS_EXPIRED') return `the engine's certificate has expired`
  if (code === 'CERT_NOT_YET_VALID') return `the engine's certificate is not valid yet`
  if (CLIENT_REFUSED.has(code))
    return tls.cert
      ? `the engine refused the client certificate ${tls.cert.path} (not signed by a CA the engine trusts)`
      : `the engine wants a client certificate: ${tls.from} has no cert.pem`
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `the engine does not speak TLS (TLS is on from ${tls.from})`
  return undefined
}
