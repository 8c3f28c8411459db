// Faults between this tool and a registry, each met for real: a proxy the test runs in front of Debian's
// docker-registry cuts a blob mid-stream, changes a byte, replaces a manifest, answers 429/503, redirects blobs to
// another host name, or holds an answer; a TLS registry with a self-signed certificate; a port nobody listens on.
// Each failure is one line on stderr and exit 2; a fault that can be overcome is, with the archive's figures.
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {copyFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {openImage} from '../../src/sources/open.js'
import {analyzeJson, runCli} from '../helpers/cli.js'
import {CONFORMANCE_SPEC} from '../helpers/conformance.js'
import {legacySave, scratch} from '../helpers/images.js'
import {proxiedRegistry, startRegistryProxy} from '../helpers/registry-proxy.js'
import {freePort} from '../helpers/daemon.js'
import {selfSignedCertificate, skopeoPush, startRegistry, type TestRegistry} from '../helpers/registry.js'

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

function figures(report: any) {
  const {repoTags, ...image} = report.image
  return {image, summary: report.summary, layers: report.layers, topWasted: report.topWasted, tags: repoTags.length}
}

describe('registry: faults', function () {
  const tmp = scratch()
  const emptyConfig = tmp.file('docker-empty')
  mkdirSync(emptyConfig)
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    DOCKER_CONFIG: emptyConfig,
    REGISTRY_AUTH_FILE: '',
    XDG_RUNTIME_DIR: '',
    ...extra,
  })
  const archive = tmp.file('conf.tar', legacySave([CONFORMANCE_SPEC]))
  const served = proxiedRegistry()
  let want: any
  /** The pushed image's layer blobs (gzip, as skopeo pushed them), bottom first. */
  let layers: Array<{digest: string; size: number}>
  let name: string

  async function analyze(args: string[], extra: NodeJS.ProcessEnv = {}) {
    return runCli(['analyze', ...args, '--format', 'json'], {env: env(extra)})
  }

  async function expectError(args: string[], message: string, extra: NodeJS.ProcessEnv = {}) {
    const result = await analyze(args, extra)
    assert.equal(result.stderr, `docker-layers: ${message}\n`)
    assert.equal(result.code, 2)
    assert.equal(result.stdout, '')
  }

  before(async function () {
    await skopeoPush(`docker-archive:${archive}`, `docker://${served.registry.host}/app:1`)
    name = `docker://${served.proxy.host}/app:1`
    const manifest = await fetch(`http://${served.registry.host}/v2/app/manifests/1`, {
      headers: {accept: 'application/vnd.docker.distribution.manifest.v2+json'},
    })
    layers = ((await manifest.json()) as {layers: Array<{digest: string; size: number}>}).layers
    want = figures(await analyzeJson([archive]))
  })

  after(async () => {
    tmp.remove()
  })

  const isBlob = (path: string, digest: string) => path === `/v2/app/blobs/${digest}`

  it('a blob cut mid-stream is resumed with a Range request from the byte it reached', async () => {
    let cuts = 0
    served.proxy.fault = (request) => (isBlob(request.path, layers[0].digest) && cuts++ === 0 ? {cut: 100} : undefined)
    const result = await analyze([name])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(figures(JSON.parse(result.stdout)), want)
    assert.deepEqual(
      served.proxy.requests.filter((r) => isBlob(r.path, layers[0].digest)).map((r) => r.range ?? 'whole'),
      ['whole', 'bytes=100-'],
    )
  })

  it('a blob cut again and again is an error after the resumes', async () => {
    // each answer, the first and the three resumes, is cut after 50 bytes
    served.proxy.fault = (request) => (isBlob(request.path, layers[0].digest) ? {cut: 50} : undefined)
    await expectError(
      [name],
      `${name}: blob ${layers[0].digest}: the connection dropped at byte 200 of ${layers[0].size}, and 3 resumes ` +
        `did not finish it (other side closed)`,
    )
  })

  it('a blob whose bytes do not match its digest is named, even when the change breaks its gzip first', async () => {
    const blob = Buffer.from(
      await (await fetch(`http://${served.registry.host}/v2/app/blobs/${layers[0].digest}`)).arrayBuffer(),
    )
    for (const offset of [blob.length - 5, 40]) {
      served.proxy.fault = (request) => (isBlob(request.path, layers[0].digest) ? {corrupt: offset} : undefined)
      const changed = Buffer.from(blob)
      changed[offset] ^= 0xff
      await expectError(
        [name],
        `${name}: blob ${layers[0].digest} does not match its digest (its bytes hash to ${sha256(changed)})`,
      )
    }
  })

  it('a manifest that is not JSON, of an unknown type, or schema 1 is refused in a sentence', async () => {
    const manifest = (body: string, type: string) => () => ({status: 200, headers: {'content-type': type}, body})
    served.proxy.fault = manifest('<html>sorry</html>', 'text/html')
    await expectError(
      [name],
      `${name}: the manifest is not JSON (Unexpected token '<', "<html>sorry</html>" is not valid JSON)`,
    )
    served.proxy.fault = manifest(
      '{"schemaVersion":2,"mediaType":"application/vnd.example.thing+json"}',
      'application/json',
    )
    await expectError(
      [name],
      `${name}: unknown manifest media type "application/vnd.example.thing+json" (read: OCI index and manifest, ` +
        `Docker manifest list and schema 2)`,
    )
    served.proxy.fault = manifest(
      '{"schemaVersion":1,"name":"app","tag":"1","fsLayers":[],"history":[]}',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    )
    await expectError(
      [name],
      `${name}: a Docker schema 1 manifest (deprecated, and not read here); copy the image again with a current ` +
        `docker, skopeo or crane, which write schema 2`,
    )
  })

  it('429 and 503 answers are retried (Retry-After honoured); one that lasts is an error', async () => {
    let faults = 0
    served.proxy.fault = (request) => {
      if (!request.path.includes('/blobs/') || faults >= 2) return undefined
      faults++
      return faults === 1 ? {status: 429, headers: {'retry-after': '1'}} : {status: 503}
    }
    const result = await analyze([name])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(figures(JSON.parse(result.stdout)), want)
    assert.equal(faults, 2)
    served.proxy.requests.length = 0
    served.proxy.fault = (request) =>
      request.path.includes('/manifests/')
        ? {status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}'}
        : undefined
    await expectError([name], `${name}: the registry answered 503 for the manifest: UNAVAILABLE: maintenance`)
    // the first try and three retries
    assert.equal(served.proxy.requests.filter((r) => r.path.includes('/manifests/')).length, 4)
  })

  it('a host that does not answer: a refused connection, an answer that never starts', async () => {
    const port = await freePort()
    await expectError([`docker://127.0.0.1:${port}/app:1`], `cannot reach 127.0.0.1:${port}: connection refused`)
    served.proxy.fault = (request) => (request.path.includes('/manifests/') ? {hold: true} : undefined)
    await assert.rejects(openImage(name, {registry: {timeoutMs: 500}}), {
      message: `${served.proxy.host} did not answer within 0.5 s`,
    })
  })

  it('redirects to blob storage on another host are followed without the Authorization header', async () => {
    const secured = await startRegistry({auth: {kind: 'htpasswd', user: 'alice', password: 's3cret'}})
    const front = await startRegistryProxy(secured.host)
    try {
      await skopeoPush(`docker-archive:${archive}`, `docker://${secured.host}/app:1`, ['--dest-creds', 'alice:s3cret'])
      front.storageAuthorization = basic('alice', 's3cret')
      front.fault = (request) => (request.path.includes('/blobs/') ? {redirect: true} : undefined)
      const report = await analyzeJson([`docker://${front.host}/app:1`, '--creds', 'alice:s3cret'], {env: env()})
      assert.deepEqual(figures(report), want)
      const storage = front.requests.filter((r) => r.path.startsWith('/storage/'))
      // the config and three layers (skopeo pushed the same blobs), from localhost:PORT with no credential
      assert.deepEqual(
        storage.map((r) => r.path).sort(),
        [report.image.id, ...layers.map((l) => l.digest)].map((digest) => `/storage/v2/app/blobs/${digest}`).sort(),
      )
      for (const request of storage)
        assert.deepEqual([request.host, request.authorization], [`localhost:${front.port}`, undefined])
      const api = front.requests.filter((r) => r.path.startsWith('/v2/') && r.path !== '/v2/')
      for (const request of api) assert.equal(request.authorization, basic('alice', 's3cret'))
    } finally {
      await front.stop()
      await secured.stop()
    }
  })

  it('HTTP_PROXY tunnels the requests through a forward proxy; NO_PROXY goes around it', async () => {
    const forward = await startRegistryProxy(served.registry.host)
    try {
      const through = await analyze([`docker://${served.registry.host}/app:1`], {HTTP_PROXY: `http://${forward.host}`})
      assert.equal(through.code, 0, through.stderr)
      assert.deepEqual(figures(JSON.parse(through.stdout)), want)
      assert.ok(forward.tunnels.length > 0)
      assert.deepEqual(new Set(forward.tunnels), new Set([served.registry.host]))
      forward.tunnels.length = 0
      const around = await analyze([`docker://${served.registry.host}/app:1`], {
        HTTP_PROXY: `http://${forward.host}`,
        NO_PROXY: '127.0.0.1',
      })
      assert.equal(around.code, 0, around.stderr)
      assert.deepEqual(forward.tunnels, [])
    } finally {
      await forward.stop()
    }
  })

  describe('TLS', () => {
    let secure: TestRegistry
    let certificate: {cert: string; key: string}

    before(async () => {
      certificate = selfSignedCertificate(tmp.dir)
      secure = await startRegistry({tls: certificate})
      await skopeoPush(`docker-archive:${archive}`, `docker://${secure.host}/app:1`, [
        '--dest-cert-dir',
        tmp.dir,
        '--dest-tls-verify=false',
      ])
    })

    after(async () => {
      await secure?.stop()
    })

    it('an untrusted certificate is an error that names the ways out, with no fallback to HTTP', async () => {
      await expectError(
        [`docker://${secure.host}/app:1`],
        `TLS error talking to ${secure.host}: self-signed certificate (trust its CA in /etc/docker/certs.d/${secure.host}/ca.crt ` +
          `or NODE_EXTRA_CA_CERTS, or skip verification with --tls-verify=false)`,
      )
    })

    it('trusted through NODE_EXTRA_CA_CERTS or docker certs.d, or not verified with --tls-verify=false', async () => {
      const trusted = await analyze([`docker://${secure.host}/app:1`], {NODE_EXTRA_CA_CERTS: certificate.cert})
      assert.equal(trusted.code, 0, trusted.stderr)
      assert.deepEqual(figures(JSON.parse(trusted.stdout)), want)
      const unverified = await analyze([`docker://${secure.host}/app:1`, '--tls-verify=false'])
      assert.equal(unverified.code, 0, unverified.stderr)
      assert.deepEqual(figures(JSON.parse(unverified.stdout)), want)
      const certsDirectory = tmp.file('certs.d')
      mkdirSync(join(certsDirectory, secure.host), {recursive: true})
      copyFileSync(certificate.cert, join(certsDirectory, secure.host, 'ca.crt'))
      const image = await openImage(`docker://${secure.host}/app:1`, {registry: {certsDirectory}})
      try {
        assert.equal(image.layers.length, 3)
      } finally {
        await image.close()
      }
    })
  })
})
