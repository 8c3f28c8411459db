import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** A CA made with openssl, and certificates it signs: for a dockerd with --tlsverify and its clients. */
export interface CertificateAuthority {
  dir: string
  /** The CA certificate (ca.pem). */
  ca: string
  /** Signs a certificate for an engine on 127.0.0.1; returns {cert, key} paths. */
  server(name: string): {cert: string; key: string}
  /** Signs a client certificate; returns {cert, key} paths. */
  client(name: string): {cert: string; key: string}
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, {stdio: ['ignore', 'ignore', 'pipe']})
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export function makeCertificateAuthority(dir: string, name: string): CertificateAuthority {
  mkdirSync(dir, {recursive: true})
  const ca = join(dir, 'ca.pem')
  const caKey = join(dir, 'ca-key.pem')
  openssl(['req', '-x509', ...KEY, '-keyout', caKey, '-out', ca, '-days', '2', '-subj', `/CN=${name}`])
  const sign = (file: string, subject: string, extensions: string) => {
    const cert = join(dir, `${file}-cert.pem`)
    const key = join(dir, `${file}-key.pem`)
    const csr = join(dir, `${file}.csr`)
    const ext = join(dir, `${file}.ext`)
    writeFileSync(ext, extensions)
    openssl(['req', ...KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${subject}`])
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '2',
      '-extfile',
      ext,
    ])
    return {cert, key}
  }
  return {
    dir,
    ca,
    server: (file) => sign(file, '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
    client: (file) => sign(file, file, 'extendedKeyUsage=clientAuth\n'),
  }
}
