import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {resolveEndpoint} from '../../src/engine/context.js'
import {dockerodeOptions} from '../../src/engine/client.js'
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
})

describe('engine resolution', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const config = join(tmp.dir, 'docker')
  const makeContext = (name: string, host: string, tls = false) => {
    const id = createHash('sha256').update(name).digest('hex')
    mkdirSync(join(config, 'contexts', 'meta', id), {recursive: true})
    writeFileSync(
      join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({Name: name, Endpoints: {docker: {Host: host, SkipTLSVerify: false}}}),
    )
    if (tls) {
      mkdirSync(join(config, 'contexts', 'tls', id, 'docker'), {recursive: true})
      for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
        writeFileSync(join(config, 'contexts', 'tls', id, 'docker', file), `${file} of ${name}`)
    }
  }
  before(() => {
    makeContext('remote', 'tcp://10.0.0.9:2376', true)
    makeContext('other', 'unix:///run/other.sock')
    writeFileSync(join(config, 'config.json'), JSON.stringify({currentContext: 'other'}))
  })

  it('follows the docker CLI order: --context, -H, DOCKER_HOST, DOCKER_CONTEXT, currentContext, default', () => {
    const env = {DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///env.sock', DOCKER_CONTEXT: 'remote'}
    assert.deepEqual(resolveEndpoint({context: 'other'}, env), {
      host: 'unix:///run/other.sock',
      from: 'context "other" (--context)',
      tls: undefined,
    })
    assert.equal(resolveEndpoint({host: 'unix:///flag.sock'}, env).from, '--host')
    assert.deepEqual(resolveEndpoint({}, env), {host: 'unix:///env.sock', from: 'DOCKER_HOST', tls: undefined})
    const remote = resolveEndpoint({}, {DOCKER_CONFIG: config, DOCKER_CONTEXT: 'remote'})
    assert.deepEqual(remote, {
      host: 'tcp://10.0.0.9:2376',
      from: 'context "remote" (DOCKER_CONTEXT)',
      tls: {ca: 'ca.pem of remote', cert: 'cert.pem of remote', key: 'key.pem of remote', verify: true},
    })
    assert.deepEqual(dockerodeOptions(remote), {
      protocol: 'https',
      host: '10.0.0.9',
      port: '2376',
      ca: 'ca.pem of remote',
      cert: 'cert.pem of remote',
      key: 'key.pem of remote',
    })
    assert.equal(resolveEndpoint({}, {DOCKER_CONFIG: config}).host, 'unix:///run/other.sock')
    assert.deepEqual(resolveEndpoint({}, {DOCKER_CONFIG: join(tmp.dir, 'none')}), {
      host: 'unix:///var/run/docker.sock',
      from: 'the default socket',
      tls: undefined,
    })
    assert.throws(() => resolveEndpoint({context: 'a', host: 'b'}, {}), /either specify --host or --context, not both/)
    assert.deepEqual(dockerodeOptions({host: 'unix:///run/x%20y.sock', from: ''}), {socketPath: '/run/x y.sock'})
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
