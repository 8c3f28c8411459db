// Remote engines reached as the docker CLI reaches them: a private dockerd with --tlsverify on tcp 127.0.0.1 and
// a private sshd whose authorized keys point DOCKER_HOST at the same engine's socket. The client side is a
// user's: an `ssh` first on PATH that applies the test's ssh config (Host aliases, keys, known_hosts, ProxyJump)
// as ~/.ssh/config would, no ssh agent, certificates in DOCKER_CERT_PATH or in docker contexts.
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {copyFileSync, mkdirSync} from 'node:fs'
import {basename, join} from 'node:path'

import {analyzeJson, type CliResult, runCli} from '../helpers/cli.js'
import {scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {type CertificateAuthority, makeCertificateAuthority} from './certificates.js'
import {build, importBusybox, type PrivateEngine, startDockerd} from './dockerd.js'
import {type PrivateSshd, startSshd} from './sshd.js'

const lastLine = (text: string) => text.trim().split('\n').pop()

const DOCKERFILE = `FROM dl-base:1
RUN dd if=/dev/zero of=/junk bs=1000 count=20 && echo remote > /keep
RUN rm /junk
CMD ["sh"]
`

describe('engine: remote engines over TLS and ssh, as the docker CLI reaches them', function () {
  let engine: PrivateEngine
  let sshd: PrivateSshd
  let ca: CertificateAuthority
  let otherCa: CertificateAuthority
  let busyboxBytes = 0
  let tcp = ''
  const tmp = scratch()
  /** DOCKER_CERT_PATH directories: complete, CA only, another CA's ca.pem, another CA's client certificate. */
  const certs = {
    full: join(tmp.dir, 'certs-full'),
    caOnly: join(tmp.dir, 'certs-ca-only'),
    wrongCa: join(tmp.dir, 'certs-wrong-ca'),
    wrongClient: join(tmp.dir, 'certs-wrong-client'),
  }
  /** The test user's environment: the engine's docker config, no engine chosen, no ssh agent, the ssh wrapper. */
  let user: NodeJS.ProcessEnv = {}

  before(async function () {
    requirePrerequisites(this, 'engine')
    requirePrerequisites(this, 'remoteEngines')
    this.timeout(300_000)
    ca = makeCertificateAuthority(join(tmp.dir, 'ca'), 'dl-test-ca')
    otherCa = makeCertificateAuthority(join(tmp.dir, 'other-ca'), 'dl-other-ca')
    const client = ca.client('client')
    const otherClient = otherCa.client('client')
    const put = (dir: string, files: {ca?: string; cert?: string; key?: string}) => {
      mkdirSync(dir)
      for (const [name, path] of Object.entries(files)) copyFileSync(path, join(dir, `${name}.pem`))
    }
    put(certs.full, {ca: ca.ca, ...client})
    put(certs.caOnly, {ca: ca.ca})
    put(certs.wrongCa, {ca: otherCa.ca, ...client})
    put(certs.wrongClient, {ca: ca.ca, ...otherClient})
    engine = await startDockerd({tls: {ca: ca.ca, ...ca.server('server')}})
    tcp = engine.tcpHost as string
    busyboxBytes = await importBusybox(engine, 'dl-base:1')
    await build(engine, 'dl-remote:1', {Dockerfile: DOCKERFILE})
    sshd = await startSshd({
      'dl-engine': {environment: {DOCKER_HOST: engine.host}},
      // ssh://root@127.0.0.1:PORT, with this address's own key as ~/.ssh/config would give it
      '127.0.0.1': {environment: {DOCKER_HOST: engine.host}},
      'dl-jumped': {environment: {DOCKER_HOST: engine.host}, proxyJump: 'dl-engine'},
      'dl-impostor': {environment: {DOCKER_HOST: engine.host}, wrongHostKey: true},
      'dl-noengine': {environment: {DOCKER_HOST: `unix://${engine.dir}/absent.sock`}},
      'dl-nodocker': {environment: {PATH: '/nonexistent'}},
    })
    user = {
      ...engine.env,
      DOCKER_HOST: '',
      DOCKER_TLS: '',
      DOCKER_TLS_VERIFY: '',
      DOCKER_CERT_PATH: '',
      SSH_AUTH_SOCK: '',
      PATH: `${sshd.bin}:${process.env.PATH}`,
    }
    const install = await runCli(['plugin', 'install'], {env: user})
    assert.equal(install.code, 0, install.stderr)
  })

  after(async () => {
    await sshd?.stop()
    await engine?.stop()
    tmp.remove()
  })

  /**
   * The built image's figures, exact, through whatever transport. A remote engine is read through docker save;
   * the local socket through the engine's own layer store, so the format also says which engine answered.
   */
  function expectFigures(report: any, format: 'docker-legacy' | 'engine-store' = 'docker-legacy') {
    assert.deepEqual(
      [report.summary.layers, report.summary.totalBytes, report.summary.wastedBytes, report.summary.finalBytes],
      [3, busyboxBytes + 20_007, 20_000, busyboxBytes + 7],
    )
    assert.deepEqual(
      report.topWasted.map((w: any) => [w.path, w.bytes, w.layer, w.hiddenBy, w.how]),
      [['/junk', 20_000, 1, 2, 'deleted']],
    )
    assert.deepEqual(report.source, {kind: 'daemon', name: 'dl-remote:1', format})
  }

  /** `analyze dl-remote:1` that must succeed, and with nothing at all on stderr (no Node warning either). */
  async function analyzeClean(args: string[], env: NodeJS.ProcessEnv): Promise<any> {
    const result = await runCli(['analyze', 'dl-remote:1', ...args, '--format', 'json'], {env: {...user, ...env}})
    assert.deepEqual([result.code, result.stderr], [0, ''])
    return JSON.parse(result.stdout)
  }

  /**
   * The same through the real docker CLI and the installed plugin, with docker's global flags before `layers`
   * and the same flags after it, before the command (`docker layers --context x analyze`).
   */
  async function viaDocker(global: string[], env: NodeJS.ProcessEnv = {}, leading: string[] = []): Promise<CliResult> {
    const args = [...global, 'layers', ...leading, 'analyze', 'dl-remote:1', '--format', 'json']
    return engine.docker(args, {env: {...user, ...env}})
  }

  /** `docker-layers FLAGS analyze dl-remote:1` standalone, engine flags before the command; must succeed cleanly. */
  async function leadingClean(leading: string[], env: NodeJS.ProcessEnv = {}): Promise<any> {
    const result = await runCli([...leading, 'analyze', 'dl-remote:1', '--format', 'json'], {env: {...user, ...env}})
    assert.deepEqual([result.code, result.stderr], [0, ''])
    return JSON.parse(result.stdout)
  }

  async function failure(args: string[], env: NodeJS.ProcessEnv): Promise<[number | null, string, string]> {
    const result = await runCli(['analyze', 'dl-remote:1', ...args], {env: {...user, ...env}})
    return [result.code, result.stdout, result.stderr]
  }

  const contextTls = (name: string) =>
    join(user.DOCKER_CONFIG as string, 'contexts', 'tls', createHash('sha256').update(name).digest('hex'), 'docker')

  it('TLS from the environment: DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    expectFigures(await analyzeClean([], {DOCKER_HOST: tcp, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.full}))
    // DOCKER_TLS alone is TLS without verification: another CA's ca.pem does not matter, as for the docker CLI
    expectFigures(await analyzeClean([], {DOCKER_HOST: tcp, DOCKER_TLS: '1', DOCKER_CERT_PATH: certs.wrongCa}))
    const docker = await engine.docker(['image', 'inspect', '--format', '{{.Id}}', 'dl-remote:1'], {
      env: {...user, DOCKER_HOST: tcp, DOCKER_TLS: '1', DOCKER_CERT_PATH: certs.wrongCa},
    })
    assert.deepEqual([docker.code, docker.stderr], [0, ''])
  })

  it("TLS from docker's flags, given to the plugin: --tlsverify with certificates, --tls without verification", async () => {
    const files = [
      '--tlscacert',
      ca.ca,
      '--tlscert',
      join(certs.full, 'cert.pem'),
      '--tlskey',
      join(certs.full, 'key.pem'),
    ]
    const verified = await viaDocker(['-H', tcp, '--tlsverify', ...files])
    assert.deepEqual([verified.code, verified.stderr], [0, ''])
    expectFigures(JSON.parse(verified.stdout))
    const other = [
      '--tlscacert',
      otherCa.ca,
      '--tlscert',
      join(certs.full, 'cert.pem'),
      '--tlskey',
      join(certs.full, 'key.pem'),
    ]
    // the same flags after docker's `layers` (before the command), and before the command standalone
    const unverified = await viaDocker([], {}, ['-H', tcp, '--tls', ...other])
    assert.deepEqual([unverified.code, unverified.stderr], [0, ''])
    expectFigures(JSON.parse(unverified.stdout))
    expectFigures(await leadingClean(['-H', tcp, '--tlsverify', ...files]))
    const refused = await viaDocker(['-H', tcp, '--tlsverify', ...other])
    assert.deepEqual(
      [refused.code, refused.stderr],
      [
        2,
        `docker layers: cannot connect to the Docker engine at ${tcp} (from --host): the engine's certificate ` +
          `is not signed by the CA in ${otherCa.ca}\n`,
      ],
    )
  })

  it('TLS from contexts: verified, skip-tls-verify, and another CA refused', async () => {
    const cert = `cert=${join(certs.full, 'cert.pem')},key=${join(certs.full, 'key.pem')}`
    for (const [name, docker] of [
      ['dl-tls', `host=${tcp},ca=${ca.ca},${cert}`],
      ['dl-tls-skip', `host=${tcp},ca=${otherCa.ca},${cert},skip-tls-verify=true`],
      ['dl-tls-wrong', `host=${tcp},ca=${otherCa.ca},${cert}`],
    ]) {
      const created = await engine.docker(['context', 'create', name, '--docker', docker], {env: user})
      assert.equal(created.code, 0, created.stderr)
    }
    expectFigures(await analyzeClean(['--context', 'dl-tls'], {}))
    expectFigures(await analyzeClean([], {DOCKER_CONTEXT: 'dl-tls-skip'}))
    const viaPlugin = await viaDocker(['--context', 'dl-tls-skip'])
    assert.deepEqual([viaPlugin.code, viaPlugin.stderr], [0, ''])
    expectFigures(JSON.parse(viaPlugin.stdout))
    assert.deepEqual(await failure(['--context', 'dl-tls-wrong'], {}), [
      2,
      '',
      `docker-layers: cannot connect to the Docker engine at ${tcp} (from context "dl-tls-wrong" (--context)): ` +
        `the engine's certificate is not signed by the CA in ${join(contextTls('dl-tls-wrong'), 'ca.pem')}\n`,
    ])
  })

  it('TLS faults: another CA, no client certificate, a client certificate from another CA, no TLS, no CA', async () => {
    const at = `docker-layers: cannot connect to the Docker engine at ${tcp} (from DOCKER_HOST)`
    const verify = (dir: string) => ({DOCKER_HOST: tcp, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir})
    assert.deepEqual(await failure([], verify(certs.wrongCa)), [
      2,
      '',
      `${at}: the engine's certificate is not signed by the CA in ${join(certs.wrongCa, 'ca.pem')}\n`,
    ])
    assert.deepEqual(await failure([], verify(certs.caOnly)), [
      2,
      '',
      `${at}: the engine wants a client certificate: DOCKER_CERT_PATH ${certs.caOnly} has no cert.pem\n`,
    ])
    assert.deepEqual(await failure([], verify(certs.wrongClient)), [
      2,
      '',
      `${at}: the engine refused the client certificate ${join(certs.wrongClient, 'cert.pem')} (not signed by a CA the engine trusts)\n`,
    ])
    assert.deepEqual(await failure([], {DOCKER_HOST: tcp}), [
      2,
      '',
      `docker-layers: the Docker engine at ${tcp} (from DOCKER_HOST) wants TLS: use --tlsverify or DOCKER_TLS_VERIFY=1, ` +
        `with its certificates in DOCKER_CERT_PATH\n`,
    ])
    const empty = join(tmp.dir, 'empty')
    mkdirSync(empty)
    assert.deepEqual(await failure([], verify(empty)), [
      2,
      '',
      `docker-layers: TLS needs the engine's CA certificate: DOCKER_CERT_PATH ${empty} has no ca.pem\n`,
    ])
  })

  it('-H and --context beat DOCKER_HOST, as in the docker CLI', async () => {
    const created = await engine.docker(['context', 'create', 'dl-local', '--docker', `host=${engine.host}`], {
      env: user,
    })
    assert.equal(created.code, 0, created.stderr)
    // DOCKER_HOST names the TLS engine without TLS: were it used, the run would fail
    const elsewhere = {DOCKER_HOST: tcp}
    expectFigures(await analyzeClean(['-H', engine.host], elsewhere), 'engine-store')
    expectFigures(await analyzeClean(['--context', 'dl-local'], elsewhere), 'engine-store')
    // docker's -H; --context after `layers`; -H before the command standalone
    for (const result of [
      await viaDocker(['-H', engine.host], elsewhere),
      await viaDocker([], elsewhere, ['--context', 'dl-local']),
    ]) {
      assert.deepEqual([result.code, result.stderr], [0, ''])
      expectFigures(JSON.parse(result.stdout), 'engine-store')
    }
    expectFigures(await leadingClean(['-H', engine.host], elsewhere), 'engine-store')
    // docker's own -H gives way to the --context after `layers`, whole (no --host/--context conflict)
    const replaced = await viaDocker(['-H', tcp], {}, ['--context', 'dl-local'])
    assert.deepEqual([replaced.code, replaced.stderr], [0, ''])
    expectFigures(JSON.parse(replaced.stdout), 'engine-store')
    // docker-modem would take DOCKER_HOST again underneath and fail on the cert.pem this DOCKER_CERT_PATH lacks
    expectFigures(
      await analyzeClean(['-H', engine.host], {DOCKER_CERT_PATH: certs.caOnly, DOCKER_HOST: tcp}),
      'engine-store',
    )
  })

  it('ssh from DOCKER_HOST, -H and a context, keys without an agent, ProxyJump from the ssh config', async () => {
    expectFigures(await analyzeClean([], {DOCKER_HOST: 'ssh://dl-engine'}))
    // an address as typed, user and port in it, its key from the ssh config's entry for 127.0.0.1
    expectFigures(await analyzeClean(['-H', `ssh://root@127.0.0.1:${sshd.port}`], {DOCKER_HOST: tcp}))
    expectFigures(await analyzeClean([], {DOCKER_HOST: 'ssh://dl-jumped'}))
    const created = await engine.docker(['context', 'create', 'dl-ssh', '--docker', 'host=ssh://dl-engine'], {
      env: user,
    })
    assert.equal(created.code, 0, created.stderr)
    expectFigures(await analyzeClean(['--context', 'dl-ssh'], {}))
    const viaPlugin = await viaDocker(['--context', 'dl-ssh'])
    assert.deepEqual([viaPlugin.code, viaPlugin.stderr], [0, ''])
    expectFigures(JSON.parse(viaPlugin.stdout))
  })

  it('ssh faults: a host key that does not match known_hosts, no engine, no docker, no ssh', async () => {
    const at = (alias: string) =>
      `docker-layers: cannot connect to the Docker engine at ssh://${alias} (from DOCKER_HOST)`
    // ssh refuses the impostor before anything is sent, as it does for the docker CLI
    assert.deepEqual(await failure([], {DOCKER_HOST: 'ssh://dl-impostor'}), [
      2,
      '',
      `${at('dl-impostor')}: ssh failed: Host key verification failed.\n`,
    ])
    const docker = await engine.docker(['-H', 'ssh://dl-impostor', 'image', 'inspect', 'dl-remote:1'], {env: user})
    assert.equal(docker.code, 1)
    assert.match(docker.stderr, /\nHost key verification failed\.\r?\n/)
    // what the remote side says is what the same command says here: sshd runs it as `SHELL -c …`, argv[0] its name
    const shell = execFileSync('getent', ['passwd', 'root'], {encoding: 'utf8'}).trim().split(':')[6]
    const remote = (env: NodeJS.ProcessEnv) =>
      lastLine(
        spawnSync(shell, ['-c', 'docker system dial-stdio'], {argv0: basename(shell), env, encoding: 'utf8', input: ''})
          .stderr,
      )
    const noEngine = remote({...process.env, DOCKER_HOST: `unix://${engine.dir}/absent.sock`})
    assert.deepEqual(await failure([], {DOCKER_HOST: 'ssh://dl-noengine'}), [
      2,
      '',
      `${at('dl-noengine')}: ssh reached dl-noengine, but its docker could not reach an engine: ${noEngine}\n`,
    ])
    const noDocker = remote({PATH: '/nonexistent'})
    assert.deepEqual(await failure([], {DOCKER_HOST: 'ssh://dl-nodocker'}), [
      2,
      '',
      `${at('dl-nodocker')}: dl-nodocker has no docker command (${noDocker})\n`,
    ])
    assert.deepEqual(await failure([], {DOCKER_HOST: 'ssh://dl-engine', PATH: '/nonexistent'}), [
      2,
      '',
      `${at('dl-engine')}: no ssh command on PATH (install an OpenSSH client)\n`,
    ])
  })

  it('flatten -t over ssh loads the flattened image into the remote engine', async () => {
    const flat = await runCli(['flatten', 'dl-remote:1', '-t', 'dl-remote:flat', '--verify', '--format', 'json'], {
      env: {...user, DOCKER_HOST: 'ssh://dl-engine'},
    })
    assert.deepEqual([flat.code, flat.stderr], [0, ''])
    const report = JSON.parse(flat.stdout)
    assert.deepEqual(
      [report.before.layers, report.after.layers, report.savedBytes, report.verified > 0],
      [3, 1, 20_000, true],
    )
    const inspect = await engine.docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', 'dl-remote:flat'])
    assert.equal(inspect.stdout, '1\n')
    const after = await analyzeJson(['dl-remote:flat'], {env: {...user, DOCKER_HOST: 'ssh://dl-engine'}})
    assert.deepEqual(
      [after.summary.layers, after.summary.totalBytes, after.summary.wastedBytes],
      [1, busyboxBytes + 7, 0],
    )
  })
})
