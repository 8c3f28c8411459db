// flatten -t docker://HOST/REPO:TAG: pushing to a real registry (Debian's docker-registry on loopback, behind a proxy
// the test runs to see and steer the requests), read back by this tool and by skopeo.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'

import {openImage} from '../../src/sources/open.js'
import {BIN, analyzeJson, runCli} from '../helpers/cli.js'
import {CONFORMANCE_SPEC} from '../helpers/conformance.js'
import {legacySave, ociArchive, scratch} from '../helpers/images.js'
import {proxiedRegistry, type RegistryProxy, startRegistryProxy} from '../helpers/registry-proxy.js'
import {assertSchema} from '../helpers/schema.js'
import {skopeoPush, startRegistry, startTokenService, type TestRegistry} from '../helpers/registry.js'
import {validateImage} from '../helpers/validate-image.js'

/**
 * skopeo, run without blocking this process: the proxies and the token service the registries ask run in it.
 * Returns its stdout; a failure throws with its stderr.
 */
async function skopeo(args: string[]): Promise<string> {
  const child = spawn('skopeo', args, {stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`skopeo ${args.join(' ')}: ${stderr}`)
  return stdout
}

/** The manifest a registry serves for a reference, as skopeo reads it. */
async function inspectRaw(reference: string, extra: string[] = []): Promise<any> {
  return JSON.parse(await skopeo(['inspect', '--raw', '--tls-verify=false', ...extra, reference]))
}

describe('registry: flatten -t docker://… pushes', function () {
  const tmp = scratch()
  const env = {DOCKER_CONFIG: tmp.dir, REGISTRY_AUTH_FILE: '', XDG_RUNTIME_DIR: ''}
  const archive = tmp.file('conf.tar', legacySave([CONFORMANCE_SPEC]))
  const served = proxiedRegistry()
  /** The source's final filesystem, as analyze reports it. */
  let final: {finalBytes: number; finalFiles: number}

  async function flatten(args: string[]) {
    const result = await runCli(['flatten', ...args, '--format', 'json'], {env})
    assert.equal(result.stderr, '')
    assert.equal(result.code, 0)
    return JSON.parse(result.stdout)
  }

  /** What the pushed image reads back as: one layer holding the source's final filesystem, and no waste. */
  async function readBack(reference: string) {
    const report = await analyzeJson([reference], {env})
    return {
      layers: report.layers.length,
      finalBytes: report.summary.finalBytes,
      finalFiles: report.summary.finalFiles,
      wastedBytes: report.summary.wastedBytes,
    }
  }

  before(async function () {
    const summary = (await analyzeJson([archive], {env})).summary
    final = {finalBytes: summary.finalBytes, finalFiles: summary.finalFiles}
  })

  after(async () => {
    tmp.remove()
  })

  it('a docker save goes up as Docker schema 2 with a gzip layer, verified by digest before the tag moves', async () => {
    const target = `docker://${served.proxy.host}/flat:1`
    const report = await flatten([archive, '-t', target, '--verify'])
    assert.deepEqual(report.output, {tag: target, digest: report.output.digest, compression: 'gzip'})
    assertSchema('flatten', report)
    // the same paths as the archive flatten writes and verifies
    const archived = await flatten([archive, '-o', tmp.file('flat.tar'), '--verify'])
    assert.deepEqual(
      [report.before, report.after, report.savedBytes, report.verified],
      [archived.before, archived.after, archived.savedBytes, archived.verified],
    )
    const manifest = await inspectRaw(`docker://${served.registry.host}/flat:1`)
    assert.deepEqual(
      [
        manifest.mediaType,
        manifest.config.mediaType,
        manifest.config.digest,
        manifest.layers.map((l: any) => l.mediaType),
      ],
      [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.container.image.v1+json',
        report.id,
        ['application/vnd.docker.image.rootfs.diff.tar.gzip'],
      ],
    )
    // the manifest goes up by digest, is read back and compared, and only then is tagged: the tag is the last request
    const puts = served.proxy.requests
      .filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))
      .map((r) => r.path)
    assert.deepEqual(puts, [`/v2/flat/manifests/${report.output.digest}`, '/v2/flat/manifests/1'])
    assert.equal(served.proxy.requests.at(-1)?.path, '/v2/flat/manifests/1')
    assert.deepEqual(await readBack(target), {layers: 1, ...final, wastedBytes: 0})
    const image = await openImage(target, {randomAccess: true})
    try {
      await validateImage(image, {blobs: true})
    } finally {
      await image.close()
    }
    // skopeo reads what was pushed,
    // and its copy has the figures our read of the registry has
    const direct = `docker://${served.registry.host}/flat:1`
    // (a docker-archive keeps the config's bytes; a copy to an OCI layout would rewrite the config as OCI's)
    const copied = tmp.file('copied.tar')
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', direct, `docker-archive:${copied}`])
    const viaSkopeo = await analyzeJson([copied], {env})
    const viaRegistry = await analyzeJson([target], {env})
    assert.deepEqual(
      [viaSkopeo.image.id, viaSkopeo.summary, viaSkopeo.layers],
      [viaRegistry.image.id, viaRegistry.summary, viaRegistry.layers],
    )
    assert.equal(viaRegistry.image.id, report.id)
  })

  it('--verify: an image that does not read back is one line, exit 2, and its manifest is deleted, untagged', async () => {
    // flatten is reproducible: a first push shows the digests the second one will have
    await flatten([archive, '-t', `docker://${served.proxy.host}/verified:1`])
    const {layers} = await inspectRaw(`docker://${served.registry.host}/verified:1`)
    const layer = layers[0].digest
    const blob = Buffer.from(
      await (await fetch(`http://${served.registry.host}/v2/verified/blobs/${layer}`)).arrayBuffer(),
    )
    const changed = Buffer.from(blob)
    changed[40] ^= 0xff
    served.proxy.requests.length = 0
    served.proxy.fault = (request) =>
      request.method === 'GET' && request.path === `/v2/unverified/blobs/${layer}` ? {corrupt: 40} : undefined
    const result = await runCli(['flatten', archive, '-t', `docker://${served.proxy.host}/unverified:1`, '--verify'], {
      env,
    })
    const byDigest = served.proxy.requests.find((r) => r.method === 'PUT' && r.path.includes('/manifests/'))!
    const digest = byDigest.path.split('/').at(-1)
    const read = `docker://${served.proxy.host}/unverified@${digest}`
    assert.equal(
      result.stderr,
      `docker-layers: --verify: the pushed image does not read back: ${read}: blob ${layer} does not match its ` +
        `digest (its bytes hash to sha256:${createHash('sha256').update(changed).digest('hex')})\n`,
    )
    assert.equal(result.code, 2)
    const manifests = served.proxy.requests.filter((r) => r.path.includes('/manifests/') && r.method !== 'GET')
    assert.deepEqual(
      manifests.map((r) => [r.method, r.path, r.status]),
      [
        ['PUT', `/v2/unverified/manifests/${digest}`, 201],
        ['DELETE', `/v2/unverified/manifests/${digest}`, 202],
      ],
    )
    assert.equal((await fetch(`http://${served.registry.host}/v2/unverified/manifests/${digest}`)).status, 404)
    assert.equal((await fetch(`http://${served.registry.host}/v2/unverified/manifests/1`)).status, 404)
  })

  it('an OCI source goes up as OCI; --compress zstd gives a zstd layer', async () => {
    const oci = tmp.file('oci.tar', ociArchive([CONFORMANCE_SPEC], {compression: 'gzip'}))
    const target = `docker://${served.proxy.host}/flat-oci:1`
    await flatten([`oci-archive:${oci}`, '-t', target, '--compress', 'zstd'])
    const manifest = await inspectRaw(`docker://${served.registry.host}/flat-oci:1`)
    assert.deepEqual(
      [manifest.mediaType, manifest.config.mediaType, manifest.layers.map((l: any) => l.mediaType)],
      [
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.config.v1+json',
        ['application/vnd.oci.image.layer.v1.tar+zstd'],
      ],
    )
    assert.deepEqual(await readBack(target), {layers: 1, ...final, wastedBytes: 0})
  })

  it('--from: a blob the repository has is skipped after a HEAD; only the squashed layer goes up again', async () => {
    const target = `docker://${served.proxy.host}/based:1`
    const first = await flatten([archive, '-t', target, '--from', '1'])
    const pushed = await inspectRaw(`docker://${served.registry.host}/based:1`)
    const [base, squashed] = pushed.layers.map((l: any) => l.digest)
    assert.equal(pushed.config.digest, first.id)
    served.proxy.requests.length = 0
    const again = await flatten([archive, '-t', target, '--from', '1'])
    // flatten is reproducible: the same image, so the base layer and the config are found, the layer sent again
    assert.deepEqual([again.id, again.output.digest], [first.id, first.output.digest])
    const heads = served.proxy.requests.filter((r) => r.method === 'HEAD').map((r) => [r.path, r.status])
    assert.deepEqual(heads, [
      [`/v2/based/blobs/${base}`, 200],
      [`/v2/based/blobs/${first.id}`, 200],
    ])
    const uploaded = served.proxy.requests
      .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))
      .map((r) => new URL(r.path, 'http://x').searchParams.get('digest'))
    assert.deepEqual(uploaded, [squashed])
    const read = await analyzeJson([target], {env})
    assert.deepEqual([read.layers.length, read.summary.finalBytes], [2, final.finalBytes])
  })

  it('a large layer goes up in chunks of 16 MiB', async () => {
    const big = tmp.file(
      'big.tar',
      legacySave([{tag: 'big:1', layers: [{members: [{path: 'blob', content: randomBytes(20 << 20)}]}]}]),
    )
    const target = `docker://${served.proxy.host}/big:1`
    await flatten([big, '-t', target, '--compress', 'uncompressed'])
    const chunks = served.proxy.requests.filter((r) => r.method === 'PATCH').map((r) => r.contentRange)
    assert.deepEqual(chunks, [`0-${(16 << 20) - 1}`])
    // the layer's last 4 MiB and more (its tar's headers and end) close it; the config goes up in one PUT
    const manifest = await inspectRaw(`docker://${served.registry.host}/big:1`)
    const finish = served.proxy.requests
      .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))
      .map((r) => new URL(r.path, 'http://x').searchParams.get('digest'))
    assert.deepEqual(finish, [manifest.layers[0].digest, manifest.config.digest])
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar')
    assert.equal((await analyzeJson([target], {env})).summary.finalBytes, 20 << 20)
  })

  it('an upload the registry refuses is one line, exit 2: the session is cancelled and the tag does not exist', async () => {
    served.proxy.fault = (request) =>
      request.method === 'PUT' && request.path.includes('/blobs/uploads/')
        ? {status: 400, body: '{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"blob upload invalid"}]}'}
        : undefined
    const target = `docker://${served.proxy.host}/cut:1`
    const result = await runCli(['flatten', archive, '-t', target], {env})
    const put = served.proxy.requests.find((r) => r.method === 'PUT')!
    const digest = new URL(put.path, 'http://x').searchParams.get('digest')
    assert.equal(
      result.stderr,
      `docker-layers: ${served.proxy.host}/cut: the registry answered 400 to the end of the upload of ${digest}: ` +
        'BLOB_UPLOAD_INVALID: blob upload invalid\n',
    )
    assert.equal(result.code, 2)
    // the session the refused PUT would have closed is cancelled, and the registry forgot it
    const session = put.path.split('?')[0]
    assert.deepEqual(
      served.proxy.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path.split('?')[0], r.status]),
      [[session, 204]],
    )
    assert.equal((await fetch(`http://${served.registry.host}${session}`)).status, 404)
    assert.equal(served.proxy.requests.filter((r) => r.path.includes('/manifests/')).length, 0)
    const tag = await fetch(`http://${served.registry.host}/v2/cut/manifests/1`)
    assert.equal(tag.status, 404)
  })

  it('a push to a digest, or with -o, is one line, exit 2, before anything is sent', async () => {
    const digest = `sha256:${'0'.repeat(64)}`
    const cases: Array<[string[], string]> = [
      [
        ['-t', `docker://${served.proxy.host}/flat@${digest}`],
        `docker://${served.proxy.host}/flat@${digest}: -t needs a tag to push to, not a digest`,
      ],
      [
        ['-t', `docker://${served.proxy.host}/flat:2`, '-o', tmp.file('both.tar')],
        '-t docker://… pushes to a registry; -o writes an archive: give one',
      ],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(['flatten', archive, ...args], {env})
      assert.deepEqual([result.code, result.stderr], [2, `docker-layers: ${message}\n`])
    }
    assert.deepEqual(served.proxy.requests, [])
  })

  it('a manifest the registry refuses is one line, exit 2, and the tag does not exist', async () => {
    served.proxy.fault = (request) =>
      request.method === 'PUT' && request.path.includes('/manifests/')
        ? {status: 400, body: '{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}'}
        : undefined
    const target = `docker://${served.proxy.host}/refused:1`
    const result = await runCli(['flatten', archive, '-t', target], {env})
    assert.equal(
      result.stderr,
      `docker-layers: ${target}: the registry refused the manifest (400): MANIFEST_INVALID: manifest invalid\n`,
    )
    assert.equal(result.code, 2)
    const tag = await fetch(`http://${served.registry.host}/v2/refused/manifests/1`)
    assert.equal(tag.status, 404)
  })

  it('Ctrl-C during a push cancels the upload, and the tag does not exist', async () => {
    served.proxy.fault = (request) =>
      request.method === 'PUT' && request.path.includes('/blobs/uploads/') ? {hold: true} : undefined
    const target = `docker://${served.proxy.host}/stopped:1`
    const child = spawn(process.execPath, [BIN, 'flatten', archive, '-t', target], {env: {...process.env, ...env}})
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const deadline = Date.now() + 60_000
    while (!served.proxy.requests.some((r) => r.method === 'PUT') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    child.kill('SIGINT')
    assert.equal(await exited, 130, stderr)
    assert.equal(stderr, 'docker-layers: interrupted by SIGINT; nothing was written\n')
    const held = served.proxy.requests.find((r) => r.method === 'PUT')!
    const session = held.path.split('?')[0]
    assert.deepEqual(
      served.proxy.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path.split('?')[0], r.status]),
      [[session, 204]],
    )
    assert.equal((await fetch(`http://${served.registry.host}${session}`)).status, 404)
    assert.equal(served.proxy.requests.filter((r) => r.path.includes('/manifests/')).length, 0)
    const tag = await fetch(`http://${served.registry.host}/v2/stopped/manifests/1`)
    assert.equal(tag.status, 404)
  })

  describe('to a registry with htpasswd', () => {
    let guarded: TestRegistry
    let front: RegistryProxy

    before(async () => {
      guarded = await startRegistry({auth: {kind: 'htpasswd', user: 'alice', password: 's3cret'}})
      front = await startRegistryProxy(guarded.host)
    })

    after(async () => {
      await front?.stop()
      await guarded?.stop()
    })

    it('a wrong password is one line naming the registry, exit 2, and leaves no repository, manifest or tag', async () => {
      /** The registry's API, asked directly with the right password. */
      const api = async (path: string) => {
        const authorization = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`
        const response = await fetch(`http://${guarded.host}/v2/${path}`, {headers: {authorization}})
        return [response.status, await response.json()]
      }
      // the right password pushes (flatten is reproducible: this shows the manifest digest a push of it has)
      const pushed = await flatten([archive, '-t', `docker://${front.host}/control:1`, '--creds', 'alice:s3cret'])
      const digest = pushed.output.digest
      assert.deepEqual((await api('control/tags/list'))[1], {name: 'control', tags: ['1']})
      front.requests.length = 0
      const target = `docker://${front.host}/flat:1`
      const result = await runCli(['flatten', archive, '-t', target, '--creds', 'alice:wrong', '--verify'], {env})
      assert.equal(
        result.stderr,
        `docker-layers: ${front.host} refused the credentials from --creds to push to flat (401 Unauthorized): ` +
          `run docker login ${front.host}\n`,
      )
      assert.deepEqual([result.code, result.stdout], [2, ''])
      // the ping, then the first upload refused; Basic is not asked again, and nothing else is sent
      assert.deepEqual(
        front.requests.map((r) => [r.method, r.path, r.status]),
        [
          ['GET', '/v2/', 401],
          ['POST', '/v2/flat/blobs/uploads/', 401],
        ],
      )
      assert.deepEqual(await api('_catalog'), [200, {repositories: ['control']}])
      const unknown = {code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: {name: 'flat'}}
      assert.deepEqual(await api('flat/tags/list'), [404, {errors: [unknown]}])
      const manifests = [await api('flat/manifests/1'), await api(`flat/manifests/${digest}`)]
      assert.deepEqual(
        manifests.map(([status, body]) => [status, body.errors[0].code]),
        [
          [404, 'MANIFEST_UNKNOWN'],
          [404, 'MANIFEST_UNKNOWN'],
        ],
      )
    })
  })

  describe('from a registry image on the same registry (Bearer)', () => {
    let tokens: Awaited<ReturnType<typeof startTokenService>>
    let secured: TestRegistry
    let front: RegistryProxy

    before(async () => {
      tokens = await startTokenService()
      secured = await startRegistry({auth: {kind: 'token', realm: tokens.realm, service: 'test-registry'}})
      front = await startRegistryProxy(secured.host)
      await skopeoPush(`docker-archive:${archive}`, `docker://${secured.host}/app:1`, ['--dest-creds', 'any:any'])
    })

    after(async () => {
      await front?.stop()
      await secured?.stop()
      await tokens?.stop()
    })

    it('--from: base layers are mounted from the source repository, with a token for both scopes', async () => {
      tokens.requests.length = 0
      front.requests.length = 0
      const source = `docker://${front.host}/app:1`
      const target = `docker://${front.host}/flat:1`
      const result = await runCli(['flatten', source, '-t', target, '--from', '1', '--format', 'json'], {env})
      assert.deepEqual([result.code, result.stderr], [0, ''])
      const report = JSON.parse(result.stdout)
      const base = (await inspectRaw(`docker://${secured.host}/app:1`, ['--creds', 'any:any'])).layers[0].digest
      const pushed = await inspectRaw(`docker://${secured.host}/flat:1`, ['--creds', 'any:any'])
      assert.deepEqual([pushed.config.digest, pushed.layers[0].digest, pushed.layers.length], [report.id, base, 2])
      // the base layer is mounted (not sent), with a token that lets it pull from app and push to flat
      const toFlat = front.requests.filter((r) => r.path.startsWith('/v2/flat/'))
      const mount = toFlat.find((r) => r.method === 'POST' && r.path.includes('mount='))!
      assert.deepEqual(
        [mount.path, mount.status],
        [`/v2/flat/blobs/uploads/?mount=${encodeURIComponent(base)}&from=app`, 201],
      )
      const both = tokens.requests.find(
        (r) => r.scopes.includes('repository:app:pull') && r.scopes.includes('repository:flat:pull,push'),
      )
      assert.equal(mount.authorization, `Bearer ${both?.issued}`, JSON.stringify(tokens.requests))
      assert.equal(both?.service, 'test-registry')
      // only the squashed layer and the config went up
      const uploaded = toFlat
        .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))
        .map((r) => new URL(r.path, 'http://x').searchParams.get('digest'))
      assert.deepEqual(uploaded, [pushed.layers[1].digest, report.id])
      assert.deepEqual(
        toFlat.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/')).map((r) => r.path),
        ['/v2/flat/manifests/1'],
      )
      const read = await analyzeJson([target], {env})
      assert.deepEqual([read.layers.length, read.summary.finalBytes], [2, final.finalBytes])
    })
  })
})
