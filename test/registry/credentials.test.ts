// Credentials found as docker and podman find them, from real files and real helper programs on PATH.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {findCredential} from '../../src/registry/credentials.js'
import {scratch} from '../helpers/images.js'

const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64')

describe('registry credentials', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const bin = tmp.file('bin')
  mkdirSync(bin)
  const helperLog = tmp.file('helper.log')
  /** A docker-credential-NAME program: records the server it was asked for, answers from `answers`. */
  function helper(name: string, answers: Record<string, {Username: string; Secret: string}>): void {
    const cases = Object.entries(answers)
      .map(([server, answer]) => `  '${server}') echo '${JSON.stringify({ServerURL: server, ...answer})}' ;;`)
      .join('\n')
    const script = `#!/bin/sh
[ "$1" = get ] || exit 3
server=$(cat)
echo "${name} $server" >> '${helperLog}'
case "$server" in
${cases}
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`
    writeFileSync(join(bin, `docker-credential-${name}`), script)
    chmodSync(join(bin, `docker-credential-${name}`), 0o755)
  }
  helper('fake', {'reg.example:5000': {Username: 'helper-user', Secret: 'helper-pass'}})
  helper('store', {
    'https://index.docker.io/v1/': {Username: 'hub-user', Secret: 'hub-pass'},
    'other.example': {Username: '<token>', Secret: 'refresh-me'},
  })
  writeFileSync(join(bin, 'docker-credential-broken'), '#!/bin/sh\necho "gpg: decryption failed" >&2\nexit 2\n')
  chmodSync(join(bin, 'docker-credential-broken'), 0o755)

  function config(name: string, content: unknown): string {
    const dir = tmp.file(name)
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'config.json'), JSON.stringify(content))
    return dir
  }
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    PATH: `${bin}:${process.env.PATH}`,
    HOME: tmp.file('home'),
    ...extra,
  })

  it('--creds USER:PASS overrides every file; a value without a colon is refused', async () => {
    const docker = config('creds-override', {auths: {'reg.example:5000': {auth: basic('file', 'x')}}})
    assert.deepEqual(
      await findCredential('reg.example:5000', 'app', {creds: 'me:pa:ss', env: env({DOCKER_CONFIG: docker})}),
      {credential: {username: 'me', password: 'pa:ss'}, from: '--creds'},
    )
    await assert.rejects(findCredential('reg.example:5000', 'app', {creds: 'me'}), {
      message: '--creds: expected USER:PASS',
    })
  })

  it('docker config: credHelpers for the host, then credsStore, then auths (base64, identity token)', async () => {
    writeFileSync(helperLog, '')
    const docker = config('helpers', {
      credHelpers: {'reg.example:5000': 'fake'},
      credsStore: 'store',
      auths: {
        'https://plain.example/v1/': {auth: basic('plain-user', 'plain-pass')},
        'oauth.example': {identitytoken: 'id-token'},
      },
    })
    const found = (registry: string) => findCredential(registry, 'team/app', {env: env({DOCKER_CONFIG: docker})})
    const path = join(docker, 'config.json')
    assert.deepEqual(await found('reg.example:5000'), {
      credential: {username: 'helper-user', password: 'helper-pass'},
      from: `docker-credential-fake (credHelpers in ${path})`,
    })
    assert.deepEqual(await found('docker.io'), {
      credential: {username: 'hub-user', password: 'hub-pass'},
      from: `docker-credential-store (credsStore in ${path})`,
    })
    // a helper's <token> user means the secret is an identity token (OAuth2 refresh)
    assert.deepEqual((await found('other.example'))?.credential, {identityToken: 'refresh-me'})
    assert.deepEqual(await found('plain.example'), {
      credential: {username: 'plain-user', password: 'plain-pass'},
      from: path,
    })
    assert.deepEqual((await found('oauth.example'))?.credential, {identityToken: 'id-token'})
    assert.equal(await found('unknown.example'), undefined)
    // each helper got the server on stdin, Docker Hub under its historical key
    assert.deepEqual(readFileSync(helperLog, 'utf8').trim().split('\n'), [
      'fake reg.example:5000',
      'store https://index.docker.io/v1/',
      'store other.example',
      'store plain.example',
      'store oauth.example',
      'store unknown.example',
    ])
  })

  it('~/.docker/config.json when DOCKER_CONFIG is not set; Docker Hub under any of its names', async () => {
    const home = tmp.file('home-hub')
    mkdirSync(join(home, '.docker'), {recursive: true})
    writeFileSync(
      join(home, '.docker', 'config.json'),
      JSON.stringify({auths: {'https://index.docker.io/v1/': {username: 'u', password: 'p'}}}),
    )
    const found = await findCredential('docker.io', 'library/alpine', {env: {...env({}), HOME: home}})
    assert.deepEqual(found, {credential: {username: 'u', password: 'p'}, from: join(home, '.docker', 'config.json')})
  })

  it("podman's REGISTRY_AUTH_FILE or XDG_RUNTIME_DIR/containers/auth.json, most specific namespace first", async () => {
    const auth = {
      auths: {
        'reg.example': {auth: basic('host-user', 'a')},
        'reg.example/team': {auth: basic('team-user', 'b')},
        'reg.example/team/app': {auth: basic('app-user', 'c')},
      },
    }
    const file = tmp.file('auth.json', JSON.stringify(auth))
    const empty = config('empty-docker', {})
    const user = async (repository: string, extra: NodeJS.ProcessEnv) =>
      (await findCredential('reg.example', repository, {env: env({DOCKER_CONFIG: empty, ...extra})}))?.credential
        .username
    assert.equal(await user('team/app', {REGISTRY_AUTH_FILE: file}), 'app-user')
    assert.equal(await user('team/other', {REGISTRY_AUTH_FILE: file}), 'team-user')
    assert.equal(await user('solo', {REGISTRY_AUTH_FILE: file}), 'host-user')
    const runtime = tmp.file('runtime')
    mkdirSync(join(runtime, 'containers'), {recursive: true})
    writeFileSync(join(runtime, 'containers', 'auth.json'), JSON.stringify(auth))
    assert.equal(await user('team/app', {XDG_RUNTIME_DIR: runtime}), 'app-user')
    // docker's file comes first when it has the registry
    const docker = config('docker-first', {auths: {'reg.example': {auth: basic('docker-user', 'd')}}})
    assert.equal(await user('team/app', {REGISTRY_AUTH_FILE: file, DOCKER_CONFIG: docker}), 'docker-user')
  })

  it('a helper that fails, a helper not on PATH and a config that is not JSON are errors that say so', async () => {
    const broken = config('broken-helper', {credHelpers: {'reg.example': 'broken'}})
    await assert.rejects(findCredential('reg.example', 'app', {env: env({DOCKER_CONFIG: broken})}), {
      message: 'docker-credential-broken get failed for reg.example: gpg: decryption failed',
    })
    const missing = config('missing-helper', {credsStore: 'nowhere'})
    await assert.rejects(findCredential('reg.example', 'app', {env: env({DOCKER_CONFIG: missing})}), {
      message:
        'the credential helper docker-credential-nowhere is not on PATH (the docker config names it for reg.example)',
    })
    const bad = tmp.file('bad-config')
    mkdirSync(bad)
    writeFileSync(join(bad, 'config.json'), '{"auths": ')
    await assert.rejects(findCredential('reg.example', 'app', {env: env({DOCKER_CONFIG: bad})}), {
      message: `${join(bad, 'config.json')} is not valid JSON (Unexpected end of JSON input)`,
    })
  })
})
