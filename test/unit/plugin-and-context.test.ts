import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import type {Agent as HttpsAgent} from 'node:https'
import {join} from 'node:path'

import {layered, resolveEndpoint} from '../../src/engine/context.js'
import {clientOptions} from '../../src/engine/client.js'
import {sshArguments} from '../../src/engine/ssh.js'
import {tlsFromFlags} from '../../src/engine/tls.js'
import {parsePluginArgv} from '../../src/plugin/argv.js'
import {humanSize, parseSize} from '../../src/human-size.js'
import {scratch} from '../helpers/images.js'

const PLUGIN = {DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND: '/usr/bin/docker'}

describe('docker CLI plugin arguments', () => {
  it('drops docker global flags and the plugin name, keeping the engine flags', () => {
    assert.deepEqual(parsePluginArgv(['layers', 'analyze', 'x'], PLUGIN), {args: ['analyze', 'x'], engine: {}})
    assert.deepEqual(
      parsePluginArgv(['--context', 'prod', '-D', '--log-level=warn', 'layers', 'analyze', 'x', '-H', 'keep'], PLUGIN),
      {
        args: ['analyze', 'x', '-H', 'keep'],
        engine: {context: 'prod'},
      },
    )
    assert.deepEqual(
      parsePluginArgv(
        ['-H', 'tcp://h:2376', '--tlsverify', '--tlscacert', '/ca.pem', '--config=/cfg', 'layers', '--help'],
        PLUGIN,
      ),
      {
        args: ['--help'],
        engine: {host: 'tcp://h:2376', tlsverify: true, tlscacert: '/ca.pem', config: '/cfg'},
      },
    )
  })

  it("outside the docker CLI the arguments are the user's own", () => {
    assert.deepEqual(parsePluginArgv(['layers', 'analyze'], {}), {args: ['layers', 'analyze'], engine: {}})
  })

  it("takes the engine flags before the command too, where they win over docker's", () => {
    // docker layers --context prod analyze x: docker passes `layers --context prod analyze x`
    assert.deepEqual(parsePluginArgv(['layers', '--context', 'prod', 'analyze', 'x'], PLUGIN), {
      args: ['analyze', 'x'],
      engine: {context: 'prod'},
    })
    // naming an engine replaces the one docker named, whole: not a --host/--context conflict
    assert.deepEqual(
      parsePluginArgv(
        ['-H', 'tcp://h:2376', '--tlsverify', 'layers', '-c', 'prod', '--tlscert=/c.pem', 'waste'],
        PLUGIN,
      ),
      {args: ['waste'], engine: {context: 'prod', tlsverify: true, tlscert: '/c.pem'}},
    )
    assert.deepEqual(parsePluginArgv(['-H', 'ssh://box', '--tls=false', '-D', 'analyze', '-H', 'x'], {}), {
      args: ['analyze', '-H', 'x'],
      engine: {host: 'ssh://box', tls: false},
    })
    // a flag without its value is left to oclif, which says what is wrong
    assert.deepEqual(parsePluginArgv(['--context'], {}), {args: ['--context'], engine: {}})
  })
})

describe('engine resolution', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const config = join(tmp.dir, 'docker')
  const makeContext = (name: string, host: string, tls: {files?: boolean; skipVerify?: boolean} = {}) => {
    const id = createHash('sha256').update(name).digest('hex')
    mkdirSync(join(config, 'contexts', 'meta', id), {recursive: true})
    writeFileSync(
      join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({Name: name, Endpoints: {docker: {Host: host, SkipTLSVerify: tls.skipVerify ?? false}}}),
    )
    if (tls.files) {
      mkdirSync(join(config, 'contexts', 'tls', id, 'docker'), {recursive: true})
      for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
        writeFileSync(join(config, 'contexts', 'tls', id, 'docker', file), `${file} of ${name}`)
    }
    return join(config, 'contexts', 'tls', id, 'docker')
  }
  let remoteTls = ''
  before(() => {
    remoteTls = makeContext('remote', 'tcp://10.0.0.9:2376', {files: true})
    makeContext('other', 'unix:///run/other.sock')
    makeContext('insecure', 'tcp://10.0.0.8', {skipVerify: true})
    writeFileSync(join(config, 'config.json'), JSON.stringify({currentContext: 'other'}))
  })

  it('follows the docker CLI order: -H or --context, DOCKER_HOST, DOCKER_CONTEXT, currentContext, default', () => {
    const env = {DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///env.sock', DOCKER_CONTEXT: 'remote'}
    assert.deepEqual(resolveEndpoint({context: 'other'}, env), {
      host: 'unix:///run/other.sock',
      from: 'context "other" (--context)',
      tls: undefined,
    })
    assert.deepEqual(resolveEndpoint({host: 'unix:///flag.sock'}, env), {
      host: 'unix:///flag.sock',
      from: '--host',
      tls: undefined,
    })
    assert.deepEqual(resolveEndpoint({}, env), {host: 'unix:///env.sock', from: 'DOCKER_HOST', tls: undefined})
    assert.deepEqual(resolveEndpoint({context: 'default'}, env), {
      host: 'unix:///env.sock',
      from: 'DOCKER_HOST',
      tls: undefined,
    })
    const remote = resolveEndpoint({}, {DOCKER_CONFIG: config, DOCKER_CONTEXT: 'remote'})
    const pem = (file: string) => ({path: join(remoteTls, file), pem: `${file} of remote`})
    assert.deepEqual(remote, {
      host: 'tcp://10.0.0.9:2376',
      from: 'context "remote" (DOCKER_CONTEXT)',
      tls: {
        verify: true,
        ca: pem('ca.pem'),
        cert: pem('cert.pem'),
        key: pem('key.pem'),
        from: `context "remote" (${remoteTls})`,
      },
    })
    assert.equal(resolveEndpoint({}, {DOCKER_CONFIG: config}).host, 'unix:///run/other.sock')
    assert.deepEqual(resolveEndpoint({}, {DOCKER_CONFIG: join(tmp.dir, 'none')}), {
      host: 'unix:///var/run/docker.sock',
      from: 'the default socket',
      tls: undefined,
    })
    assert.throws(() => resolveEndpoint({context: 'a', host: 'b'}, {}), /either specify --host or --context, not both/)
  })

  it('a later -H or --context replaces the engine named earlier, whole; other options are kept unless given', () => {
    const docker = {host: 'tcp://h:2376', tlsverify: true, tlscacert: '/ca.pem', config: '/cfg'}
    assert.deepEqual(layered(docker, {context: 'prod', host: undefined}), {
      context: 'prod',
      tlsverify: true,
      tlscacert: '/ca.pem',
      config: '/cfg',
    })
    assert.deepEqual(layered(docker, {tlscacert: '/other.pem'}, {context: undefined}), {
      ...docker,
      tlscacert: '/other.pem',
    })
    assert.deepEqual(layered({context: 'a'}, {host: 'b', context: 'c'}), {host: 'b', context: 'c'})
  })

  it("a context's skip-tls-verify turns TLS on without files, as in the docker CLI", async () => {
    const insecure = resolveEndpoint({context: 'insecure'}, {DOCKER_CONFIG: config})
    assert.deepEqual(insecure.tls, {
      verify: false,
      ca: undefined,
      cert: undefined,
      key: undefined,
      from: `context "insecure" (${join(config, 'contexts', 'tls', createHash('sha256').update('insecure').digest('hex'), 'docker')})`,
    })
    const options = await clientOptions(insecure)
    assert.deepEqual([options.protocol, options.host, options.port], ['https', '10.0.0.8', 2376])
    assert.equal((options.agent as HttpsAgent).options.rejectUnauthorized, false)
  })

  it('TLS from the flags and the environment: DOCKER_TLS, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH', () => {
    const certs = join(tmp.dir, 'certs')
    mkdirSync(certs)
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, file), file)
    const pem = (file: string) => ({path: join(certs, file), pem: file})
    const full = {ca: pem('ca.pem'), cert: pem('cert.pem'), key: pem('key.pem'), from: `DOCKER_CERT_PATH ${certs}`}
    assert.equal(tlsFromFlags({}, {DOCKER_CERT_PATH: certs}), undefined)
    assert.equal(tlsFromFlags({}, {DOCKER_CERT_PATH: certs, DOCKER_TLS_VERIFY: ''}), undefined)
    // any non-empty DOCKER_TLS_VERIFY verifies, as in the docker CLI; DOCKER_TLS and --tls alone do not verify
    assert.deepEqual(tlsFromFlags({}, {DOCKER_CERT_PATH: certs, DOCKER_TLS_VERIFY: '0'}), {verify: true, ...full})
    assert.deepEqual(tlsFromFlags({}, {DOCKER_CERT_PATH: certs, DOCKER_TLS: '1'}), {verify: false, ...full})
    assert.deepEqual(tlsFromFlags({tls: true}, {DOCKER_CERT_PATH: certs}), {verify: false, ...full})
    assert.deepEqual(tlsFromFlags({tlsverify: false}, {DOCKER_CERT_PATH: certs}), {verify: false, ...full})
    assert.deepEqual(tlsFromFlags({tlsverify: true}, {DOCKER_CONFIG: certs}), {
      verify: true,
      ...full,
      from: `${certs} (DOCKER_CERT_PATH is not set)`,
    })
    const flags = {tlsverify: true, tlscacert: join(certs, 'ca.pem'), tlscert: join(certs, 'cert.pem')}
    assert.deepEqual(tlsFromFlags({...flags, tlskey: join(certs, 'key.pem')}, {DOCKER_CERT_PATH: '/nowhere'}), {
      verify: true,
      ...full,
      from: 'DOCKER_CERT_PATH /nowhere',
    })
    assert.throws(
      () => tlsFromFlags(flags, {DOCKER_CERT_PATH: '/nowhere'}),
      /^InputError: DOCKER_CERT_PATH \/nowhere has a client certificate \(.*cert\.pem\) but no key \(key\.pem\)$/,
    )
    assert.throws(
      () => tlsFromFlags({tlsverify: true}, {DOCKER_CERT_PATH: '/nowhere'}),
      /^InputError: TLS needs the engine's CA certificate: DOCKER_CERT_PATH \/nowhere has no ca\.pem$/,
    )
    assert.throws(
      () => tlsFromFlags({tls: true, tlscacert: '/nowhere/ca.pem'}, {}),
      /^InputError: --tlscacert \/nowhere\/ca\.pem: no such file$/,
    )
  })

  it('client options: unix sockets by path, tcp as http or https with the TLS settings, ssh through ssh', async () => {
    assert.deepEqual(await clientOptions({host: 'unix:///run/x%20y.sock', from: ''}), {socketPath: '/run/x y.sock'})
    assert.deepEqual(await clientOptions({host: 'tcp://[::1]', from: ''}), {protocol: 'http', host: '::1', port: 2375})
    const tls = {verify: true, ca: {path: '/ca.pem', pem: 'CA'}, cert: {path: '/c.pem', pem: 'C'}, from: ''}
    const https = await clientOptions({host: 'tcp://h:3000', from: '', tls})
    assert.deepEqual([https.protocol, https.host, https.port], ['https', 'h', '3000'])
    const {ca, cert, key, rejectUnauthorized} = (https.agent as HttpsAgent).options as Record<string, unknown>
    assert.deepEqual([ca, cert, key, rejectUnauthorized], ['CA', 'C', undefined, true])
    const ssh = await clientOptions({host: 'ssh://me@box:2222', from: ''})
    // (client.ts loads ssh.ts when an ssh:// engine is used; under tsx that is another module instance)
    assert.deepEqual([ssh.protocol, ssh.host, ssh.agent?.constructor.name], ['http', 'docker.example.com', 'SshAgent'])
    await assert.rejects(clientOptions({host: 'fd://', from: 'DOCKER_HOST'}), {
      message: 'unsupported engine address fd:// (from DOCKER_HOST)',
    })
    await assert.rejects(clientOptions({host: 'tcp://a b', from: '--host'}), {
      message: 'invalid engine address tcp://a b (from --host)',
    })
  })

  it("ssh arguments as the docker CLI's connection helper builds them", () => {
    assert.deepEqual(sshArguments('ssh://box'), [
      '-o',
      'ConnectTimeout=30',
      '-T',
      '--',
      'box',
      'docker system dial-stdio',
    ])
    assert.deepEqual(sshArguments('ssh://me@box:2222/run/my%20docker.sock'), [
      '-l',
      'me',
      '-p',
      '2222',
      '-o',
      'ConnectTimeout=30',
      '-T',
      '--',
      'box',
      "docker '--host=unix:///run/my docker.sock' system dial-stdio",
    ])
    assert.throws(() => sshArguments('ssh://me:secret@box'), /a password in an ssh address is not supported/)
    assert.throws(() => sshArguments('ssh://box?x=1'), /an ssh address takes no query or fragment/)
  })
})

describe('docker human sizes', () => {
  it('formats as go-units HumanSizeWithPrecision(…, 3)', () => {
    const cases: Array<[number, string]> = [
      [0, '0B'],
      [999, '999B'],
      [1000, '1kB'],
      [5_242_880, '5.24MB'],
      [1_220_598, '1.22MB'],
      [6405, '6.41kB'],
      [999_999, '1e+03kB'],
      [1e12, '1TB'],
    ]
    for (const [bytes, text] of cases) assert.equal(humanSize(bytes), text, `${bytes}`)
  })

  it('parses sizes as docker and dive write them', () => {
    assert.deepEqual(['20MB', '20Mb', '512KiB', '1B', '1.5 GB', '300', 'x1'].map(parseSize), [
      20e6,
      20e6,
      524_288,
      1,
      1.5e9,
      300,
      undefined,
    ])
  })
})
