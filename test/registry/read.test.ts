// Reading images from real registries (Debian's docker-registry on loopback): Basic and Bearer authorization,
// credentials from docker's config and helpers, platforms of an index, zstd layers, digest references. The
// figures must be those of the archive each image was pushed from.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {formatPlatform, hostPlatform} from '../../src/image/platform.js'
import {openImage} from '../../src/sources/open.js'
import {analyzeJson, runCli} from '../helpers/cli.js'
import {CONFORMANCE_SPEC} from '../helpers/conformance.js'
import {assertSchema} from '../helpers/schema.js'
import {type ImageSpec, legacySave, ociArchive, scratch, writeOciLayout} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {startRegistryProxy, type RegistryProxy} from '../helpers/registry-proxy.js'
import {skopeoPush, startRegistry, startTokenService, type TestRegistry} from '../helpers/registry.js'

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

/** An analyze report without what names the source: the figures, the layers and the image's identity. */
function figures(report: any) {
  const {repoTags, ...image} = report.image
  return {image, summary: report.summary, layers: report.layers, topWasted: report.topWasted, tags: repoTags.length}
}

describe('registry: reading images from a registry', function () {
  const tmp = scratch()
  const bin = tmp.file('bin')
  mkdirSync(bin)
  const emptyConfig = tmp.file('docker-empty')
  mkdirSync(emptyConfig)
  /** The environment of a user with no docker or podman credentials, and the test's helpers on PATH. */
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    DOCKER_CONFIG: emptyConfig,
    HOME: tmp.dir,
    REGISTRY_AUTH_FILE: '',
    XDG_RUNTIME_DIR: '',
    PATH: `${bin}:${process.env.PATH}`,
    ...extra,
  })
  let plain: TestRegistry
  let basicRegistry: TestRegistry
  let want: any
  const archive = tmp.file('conf.tar', legacySave([CONFORMANCE_SPEC]))

  async function expectError(args: string[], message: string, extra: NodeJS.ProcessEnv = {}) {
    const result = await runCli(['analyze', ...args], {env: env(extra)})
    assert.equal(result.stderr, `docker-layers: ${message}\n`)
    assert.equal(result.code, 2)
    assert.equal(result.stdout, '')
  }

  before(async function () {
    requirePrerequisites(this, 'registry')
    ;[plain, basicRegistry] = await Promise.all([
      startRegistry(),
      startRegistry({auth: {kind: 'htpasswd', user: 'alice', password: 's3cret'}}),
    ])
    await skopeoPush(`docker-archive:${archive}`, `docker://${basicRegistry.host}/team/app:1`, [
      '--dest-creds',
      'alice:s3cret',
    ])
    want = figures(await analyzeJson([archive]))
  })

  after(async () => {
    await Promise.all([plain?.stop(), basicRegistry?.stop()])
    tmp.remove()
  })

  describe('Basic (htpasswd)', () => {
    it('--creds gives the archive figures; the source and tag name the registry', async () => {
      const name = `docker://${basicRegistry.host}/team/app:1`
      const report = await analyzeJson([name, '--creds', 'alice:s3cret'], {env: env()})
      assert.deepEqual(figures(report), want)
      assert.deepEqual(report.source, {kind: 'registry', name, format: 'docker-schema2'})
      assert.deepEqual(report.image.repoTags, [`${basicRegistry.host}/team/app:1`])
      assertSchema('analyze', report)
    })

    it("docker's config: auths, credHelpers and credsStore with a docker-credential-* program on PATH", async () => {
      const name = `docker://${basicRegistry.host}/team/app:1`
      const config = (dir: string, content: unknown) => {
        mkdirSync(tmp.file(dir))
        writeFileSync(join(tmp.file(dir), 'config.json'), JSON.stringify(content))
        return tmp.file(dir)
      }
      const auths = config('auths', {
        auths: {[basicRegistry.host]: {auth: Buffer.from('alice:s3cret').toString('base64')}},
      })
      assert.deepEqual(figures(await analyzeJson([name], {env: env({DOCKER_CONFIG: auths})})), want)
      const log = tmp.file('helper.log')
      writeFileSync(
        join(bin, 'docker-credential-test'),
        `#!/bin/sh\nserver=$(cat)\necho "$1 $server" >> ${log}\necho '{"Username":"alice","Secret":"s3cret"}'\n`,
      )
      chmodSync(join(bin, 'docker-credential-test'), 0o755)
      const helpers = config('helpers', {credHelpers: {[basicRegistry.host]: 'test'}})
      assert.deepEqual(figures(await analyzeJson([name], {env: env({DOCKER_CONFIG: helpers})})), want)
      const store = config('store', {credsStore: 'test', auths: {[basicRegistry.host]: {}}})
      assert.deepEqual(figures(await analyzeJson([name], {env: env({DOCKER_CONFIG: store})})), want)
      assert.equal(readFileSync(log, 'utf8'), `get ${basicRegistry.host}\nget ${basicRegistry.host}\n`)
    })

    it('a wrong password names the registry and suggests docker login; no credential says where to put one', async () => {
      const host = basicRegistry.host
      await expectError(
        [`docker://${host}/team/app:1`, '--creds', 'alice:wrong'],
        `${host} refused the credentials from --creds to pull team/app (401 Unauthorized): run docker login ${host}`,
      )
      await expectError(
        [`docker://${host}/team/app:1`],
        `${host} needs credentials to pull team/app and none were found: run docker login ${host}, or pass --creds USER:PASS`,
      )
    })

    it('no such repository, no such tag (with the tags there are), no such digest', async () => {
      const host = basicRegistry.host
      const creds = ['--creds', 'alice:s3cret']
      await expectError(
        [`docker://${host}/team/nope:1`, ...creds],
        `docker://${host}/team/nope:1: no repository team/nope on ${host}`,
      )
      await expectError(
        [`docker://${host}/team/app:2`, ...creds],
        `docker://${host}/team/app:2: no tag 2 in ${host}/team/app (it has 1)`,
      )
      const digest = `sha256:${'0'.repeat(64)}`
      await expectError(
        [`docker://${host}/team/app@${digest}`, ...creds],
        `docker://${host}/team/app@${digest}: no manifest ${digest} in ${host}/team/app`,
      )
    })
  })

  describe('Bearer (a token service the test serves)', () => {
    let tokens: Awaited<ReturnType<typeof startTokenService>>
    let registry: TestRegistry
    let proxy: RegistryProxy

    const tokenOptions: {basic: {user: string; password: string}; expiresIn?: number} = {
      basic: {user: 'bob', password: 'pw'},
    }

    before(async () => {
      tokens = await startTokenService(tokenOptions)
      registry = await startRegistry({auth: {kind: 'token', realm: tokens.realm, service: 'test-registry'}})
      await skopeoPush(`docker-archive:${archive}`, `docker://${registry.host}/app:1`, ['--dest-creds', 'bob:pw'])
      proxy = await startRegistryProxy(registry.host)
    })

    after(async () => {
      await proxy?.stop()
      await registry?.stop()
      await tokens?.stop()
    })

    it('asks the realm for a token with the service and the repository:NAME:pull scope, then sends it', async () => {
      tokens.requests.length = 0
      proxy.requests.length = 0
      const report = await analyzeJson([`docker://${proxy.host}/app:1`, '--creds', 'bob:pw'], {env: env()})
      assert.deepEqual(figures(report), want)
      const issued = tokens.requests[0]?.issued
      assert.deepEqual(tokens.requests, [
        {
          method: 'GET',
          service: 'test-registry',
          scopes: ['repository:app:pull'],
          authorization: basic('bob', 'pw'),
          issued,
        },
      ])
      // the ping goes without, every request after it with the token
      const sent = proxy.requests.map((r) => r.authorization ?? 'none')
      assert.equal(sent[0], 'none')
      assert.deepEqual(new Set(sent.slice(1)), new Set([`Bearer ${issued}`]))
    })

    it('an expired token is asked for again', async () => {
      tokenOptions.expiresIn = 1
      const image = await openImage(`docker://${proxy.host}/app:1`, {randomAccess: true, registry: {creds: 'bob:pw'}})
      try {
        tokens.requests.length = 0
        await new Promise((resolve) => setTimeout(resolve, 1100))
        const {reader, size} = await image.layers[0].blob!()
        let read = 0
        for await (const chunk of reader.chunks()) read += chunk.length
        assert.equal(read, size)
        assert.deepEqual(
          tokens.requests.map((r) => r.scopes),
          [['repository:app:pull']],
        )
      } finally {
        tokenOptions.expiresIn = undefined
        await image.close()
      }
    })

    it('a refused credential at the token service is the same one-line error', async () => {
      await expectError(
        [`docker://${proxy.host}/app:1`, '--creds', 'bob:nope'],
        `${proxy.host} refused the credentials from --creds to pull app (401 Unauthorized): ` +
          `run docker login ${proxy.host}`,
      )
    })

    it("an identity token (a helper's <token> user) goes through the OAuth2 refresh flow", async () => {
      writeFileSync(
        join(bin, 'docker-credential-oauth'),
        `#!/bin/sh\ncat > /dev/null\necho '{"Username":"<token>","Secret":"refresh-0"}'\n`,
      )
      chmodSync(join(bin, 'docker-credential-oauth'), 0o755)
      const config = tmp.file('oauth')
      mkdirSync(config)
      writeFileSync(join(config, 'config.json'), JSON.stringify({credHelpers: {[proxy.host]: 'oauth'}}))
      tokens.requests.length = 0
      const report = await analyzeJson([`docker://${proxy.host}/app:1`], {env: env({DOCKER_CONFIG: config})})
      assert.deepEqual(figures(report), want)
      assert.deepEqual(
        tokens.requests.map((r) => r.form),
        [
          {
            grant_type: 'refresh_token',
            refresh_token: 'refresh-0',
            client_id: 'docker-layers',
            scope: 'repository:app:pull',
            service: 'test-registry',
          },
        ],
      )
    })
  })

  describe('manifests', () => {
    const host = hostPlatform()
    const other = host.architecture === 's390x' ? 'riscv64' : 's390x'
    const third = host.architecture === 'ppc64le' ? 'mips64le' : 'ppc64le'
    const spec = (architecture: string, size: number): ImageSpec => ({
      tag: 'multi:1',
      os: 'linux',
      architecture,
      ...(host.variant && architecture === host.architecture ? {variant: host.variant} : {}),
      layers: [{members: [{path: `bin/${architecture}`, size}]}],
    })

    before(async () => {
      writeOciLayout(tmp.file('multi'), [spec(host.architecture!, 100), spec(other, 200)], {platforms: true})
      await skopeoPush(`oci:${tmp.file('multi')}`, `docker://${plain.host}/multi:1`, ['--all'])
      writeOciLayout(tmp.file('foreign'), [spec(other, 200), spec(third, 300)], {platforms: true})
      await skopeoPush(`oci:${tmp.file('foreign')}`, `docker://${plain.host}/foreign:1`, ['--all'])
      const zstd = tmp.file('zstd.tar', ociArchive([CONFORMANCE_SPEC], {compression: 'zstd'}))
      await skopeoPush(`oci-archive:${zstd}`, `docker://${plain.host}/zstd:1`)
    })

    it("an index: --platform picks, the host's platform by default; none matching lists them", async () => {
      const read = async (args: string[]) => (await analyzeJson(args, {env: env()})).summary.totalBytes
      assert.equal(await read([`docker://${plain.host}/multi:1`]), 100)
      assert.equal(await read([`docker://${plain.host}/multi:1`, '--platform', `linux/${other}`]), 200)
      await expectError(
        [`docker://${plain.host}/foreign:1`],
        `docker://${plain.host}/foreign:1: several platforms and none is this host's (${formatPlatform(host)}); ` +
          `choose one with --platform: linux/${other}, linux/${third}`,
      )
      await expectError(
        [`docker://${plain.host}/multi:1`, '--platform', 'linux/mips'],
        `docker://${plain.host}/multi:1: no image for platform linux/mips (it has ${formatPlatform(host)}, linux/${other})`,
      )
    })

    it('a zstd OCI image: zstd layers in the manifest, the archive figures', async () => {
      const raw = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${plain.host}/zstd:1`], {
        encoding: 'utf8',
      })
      const manifest = JSON.parse(raw.stdout)
      assert.deepEqual(
        new Set(manifest.layers.map((l: {mediaType: string}) => l.mediaType)),
        new Set(['application/vnd.oci.image.layer.v1.tar+zstd']),
      )
      const report = await analyzeJson([`docker://${plain.host}/zstd:1`], {env: env()})
      assert.deepEqual(figures(report), want)
      assert.equal(report.source.format, 'oci')
    })

    it('a digest reference reads the manifest it pins', async () => {
      const digest = spawnSync(
        'skopeo',
        ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${plain.host}/zstd:1`],
        {encoding: 'utf8'},
      ).stdout.trim()
      assert.match(digest, /^sha256:[0-9a-f]{64}$/)
      const report = await analyzeJson([`docker://${plain.host}/zstd@${digest}`], {env: env()})
      assert.deepEqual(figures(report), {...want, tags: 0})
    })
  })
})
