import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {basename} from 'node:path'
import {fileURLToPath} from 'node:url'

import {scratch} from '../helpers/images.js'
import {PEER} from '../helpers/peer.js'
import {decide, HOST, type Host, PACKAGES, SUITES, type SuiteName} from '../helpers/prerequisites.js'

/** A machine that has everything, changed by `change`. */
function host(change: Partial<Host> = {}): Host {
  return {
    ci: false,
    root: true,
    which: (command) => `/usr/bin/${command}`,
    isStatic: () => true,
    exists: () => true,
    env: () => '/opt/trixie',
    ...change,
  }
}

/** A machine that has nothing: no root, no program, no file. */
const BARE: Partial<Host> = {root: false, which: () => undefined, exists: () => false, env: () => undefined}

/** What each suite says on a bare machine, written out by hand from its prerequisites. */
const MISSING: Record<SuiteName, string> = {
  engine: 'run as root; apt-get install docker.io skopeo busybox-static (.ci/run installs them)',
  skopeo: 'apt-get install skopeo (.ci/run installs them)',
  peerFixtures: `no ${PEER} (dive's and go-containerregistry's test images)`,
  fullDisk: 'run as root; apt-get install mount (.ci/run installs them)',
  gitHook: 'apt-get install git docker.io (.ci/run installs them)',
  browser: 'apt-get install chromium (.ci/run installs them)',
  fish: 'apt-get install fish (.ci/run installs them)',
  registry: 'apt-get install docker-registry apache2-utils skopeo openssl (.ci/run installs them)',
  remoteEngines: 'run as root; apt-get install openssh-server openssh-client openssl (.ci/run installs them)',
  containerdEngine:
    "run as root; apt-get install docker.io (.ci/run installs them); CONTAINERD_ENGINE_ROOT naming Debian trixie's " +
    'docker.io 26.1, containerd and runc unpacked there (.ci/run unpacks them)',
}
const TITLES: Record<SuiteName, string> = {
  engine: 'engine suite',
  skopeo: 'skopeo checks',
  peerFixtures: 'peer-fixture suites',
  fullDisk: 'full-disk test',
  gitHook: 'git hook suite',
  browser: 'browser suite',
  fish: 'fish completion test',
  registry: 'registry suite',
  remoteEngines: 'remote-engine suite',
  containerdEngine: 'containerd image store suite',
}

describe('prerequisites: whether each suite with outside prerequisites runs', () => {
  it('the table holds exactly the suites written out here', () => {
    assert.deepEqual(Object.keys(SUITES).sort(), Object.keys(MISSING).sort())
  })

  for (const name of Object.keys(MISSING) as SuiteName[]) {
    it(`${name}: runs when its prerequisites are present, skips outside CI and fails in CI when they are not`, () => {
      assert.deepEqual(decide(name, host()), {run: true})
      assert.deepEqual(decide(name, host({ci: true})), {run: true})
      assert.deepEqual(decide(name, host(BARE)), {
        run: false,
        fails: false,
        line: `${TITLES[name]} skipped: ${MISSING[name]}`,
      })
      assert.deepEqual(decide(name, host({...BARE, ci: true})), {
        run: false,
        fails: true,
        line: `${TITLES[name]} must run in CI: ${MISSING[name]}`,
      })
    })
  }

  it('engine: root with docker.io but no busybox names only busybox-static; a dynamic busybox is no busybox-static', () => {
    const noBusybox = host({which: (command) => (command === 'busybox' ? undefined : `/usr/sbin/${command}`)})
    assert.deepEqual(decide('engine', noBusybox), {
      run: false,
      fails: false,
      line: 'engine suite skipped: apt-get install busybox-static (.ci/run installs them)',
    })
    const dynamic = host({isStatic: (program) => program !== '/usr/bin/busybox'})
    assert.deepEqual(decide('engine', dynamic), decide('engine', noBusybox))
    assert.deepEqual(decide('engine', host({root: false})), {
      run: false,
      fails: false,
      line: 'engine suite skipped: run as root',
    })
  })

  it('engine: the docker CLI alone (no dockerd) still asks for docker.io, once', () => {
    const cliOnly = host({which: (command) => (command === 'dockerd' ? undefined : `/usr/bin/${command}`)})
    assert.deepEqual(decide('engine', cliOnly), {
      run: false,
      fails: false,
      line: 'engine suite skipped: apt-get install docker.io (.ci/run installs them)',
    })
  })

  it('containerdEngine: the unpacked engine is named when the variable is unset or a program is missing there', () => {
    const line =
      "containerd image store suite skipped: CONTAINERD_ENGINE_ROOT naming Debian trixie's docker.io 26.1, " +
      'containerd and runc unpacked there (.ci/run unpacks them)'
    assert.deepEqual(decide('containerdEngine', host({env: () => undefined})), {run: false, fails: false, line})
    const noRunc = host({exists: (path) => path !== '/opt/trixie/usr/bin/runc'})
    assert.deepEqual(decide('containerdEngine', noRunc), {run: false, fails: false, line})
    const other = host({env: (name) => (name === 'CONTAINERD_ENGINE_ROOT' ? '/elsewhere' : '/opt/trixie')})
    assert.deepEqual(decide('containerdEngine', host({exists: (path) => path.startsWith('/opt/trixie/')})), {run: true})
    assert.deepEqual(decide('containerdEngine', {...other, exists: (path) => path.startsWith('/opt/trixie/')}), {
      run: false,
      fails: false,
      line,
    })
  })

  it('.ci/run installs every package of the table, each once', () => {
    assert.deepEqual(PACKAGES, [
      'docker.io',
      'skopeo',
      'busybox-static',
      'mount',
      'git',
      'chromium',
      'fish',
      'docker-registry',
      'apache2-utils',
      'openssl',
      'openssh-server',
      'openssh-client',
    ])
  })

  it('this machine: programs found on PATH, a dynamic program is not static, CI read from the environment', () => {
    const sh = HOST.which('sh')
    assert.ok(sh && existsSync(sh) && basename(sh) === 'sh', sh)
    assert.equal(HOST.which('no-such-program-here'), undefined)
    assert.equal(HOST.isStatic(process.execPath), false)
    assert.equal(HOST.ci, Boolean(process.env.CI) && process.env.CI !== 'false')
  })
})

describe('prerequisites: a skipped suite is named after the totals', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  const root = fileURLToPath(new URL('../../', import.meta.url))

  /** mocha with the project's reporter over one spec whose first suite needs the engine on a bare machine. */
  function run(ci: boolean) {
    const module = new URL('../helpers/prerequisites.ts', import.meta.url).href
    const spec = tmp.file(
      `spec-${ci}.test.ts`,
      `import {requirePrerequisites} from '${module}'
const bare = {ci: ${ci}, root: false, which: () => undefined, isStatic: () => false, exists: () => false}
describe('needs an engine', function () {
  before(function () {
    requirePrerequisites(this, 'engine', bare)
  })
  it('one', () => {})
  it('two', () => {})
})
describe('needs nothing', () => {
  it('three', () => {})
})
`,
    )
    return spawnSync(
      process.execPath,
      ['--import', 'tsx', 'node_modules/mocha/bin/mocha.js', '--no-config', '--reporter', 'test/reporter.cjs', spec],
      {cwd: root, encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0'}},
    )
  }

  it('outside CI: the suite skips and its line follows the totals', () => {
    const result = run(false)
    assert.equal(result.status, 0, result.stderr)
    assert.ok(
      result.stdout.endsWith(
        '1 passed, 0 failed, 2 skipped\n' +
          'engine suite skipped: run as root; apt-get install docker.io skopeo busybox-static (.ci/run installs them)\n',
      ),
      result.stdout,
    )
  })

  it('in CI: the suite fails with the same line', () => {
    const result = run(true)
    assert.equal(result.status, 1, result.stderr)
    assert.match(
      result.stdout,
      /Error: engine suite must run in CI: run as root; apt-get install docker\.io skopeo busybox-static \(\.ci\/run installs them\)\n/,
    )
    assert.ok(result.stdout.endsWith('1 passed, 1 failed, 0 skipped\n'), result.stdout)
  })
})
