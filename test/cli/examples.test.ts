import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {SAMPLE, SAMPLE_PATH} from '../../scripts/make-sample.js'
import {BIN, runCli} from '../helpers/cli.js'
import {type DocExample, docExamples} from '../helpers/doc-examples.js'
import {type ImageSpec, legacySave, ociArchive, writeOciLayout} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {type PrivateEngine, startDockerd} from '../engine/dockerd.js'

/**
 * Issue 12: every example command of README.md and docs/*.md runs as shown. Each runs through `sh -c` as a reader
 * would type it, in a fresh directory holding the files the pages name, with `docker-layers` on PATH as the built
 * bin/run.js. What runs differs from what the page shows only by these spellings of the same program: `docker
 * layers X` is `docker-layers X` (the plugin runs bin/run.js; test/engine/engine.test.ts runs it through the docker
 * CLI), so is `./bin/run.js X` in a checkout and `npx docker-layers X` in a project that installed it, and the
 * README's leading `npm ci && ` is what made this checkout.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function asRun(command: string): string {
  return command
    .replace(/^npm ci && /, '')
    .replaceAll('./bin/run.js ', 'docker-layers ')
    .replaceAll('npx docker-layers', 'docker-layers')
    .replaceAll('docker layers', 'docker-layers')
}

/** The examples that do not run here, each with why: a new example cannot be skipped without saying so. */
const SKIPPED: Record<string, string> = {
  'npm test': 'it is the run this test is part of',
  'npm install -g --allow-scripts=zstd-napi docker-layers': 'it installs from the npm registry',
  'docker layers analyze docker://ghcr.io/org/app:1.2': 'a registry (test/registry covers docker://)',
  'docker layers diff docker://registry.example/app@sha256:… app.tar': 'a registry',
  'docker layers check docker://localhost:5000/app:ci --platform linux/arm64': 'a registry',
  'docker layers flatten docker://registry.example/app:1 -t docker://registry.example/app:1-flat --verify':
    'a registry',
  'docker layers flatten app.tar -t docker://localhost:5000/app:flat --from 2 --compress zstd': 'a registry',
  'docker-layers flatten docker://registry.example/app:1 -t docker://registry.example/app:1-flat': 'a registry',
}

/** What an example writes on stderr: the note the README's Sources section promises for a compressed save. */
const NOTES: Record<string, string> = {
  'docker save myapp:1.2 | gzip > app.tar.gz && docker-layers analyze app.tar.gz':
    'note: app.tar.gz is gzip-compressed as a whole: read front to back, without random access ' +
    '(decompress it to read only the layers needed)\n',
}

/**
 * The examples that exit 1: a `check` of the sample fails, as the pages say (README "Gate CI": the sample stores a
 * deploy key and its efficiency, 0.8254, is below dive's default 0.9).
 */
const FAILING = new Set([
  'docker-layers check sample/sample-image.tar',
  "docker-layers check myapp:latest --lowest-efficiency 0.95 --max-layers 12 --forbid-paths '**/id_rsa'",
  'docker-layers check myapp:new --baseline myapp:old --max-growth-percent 5 --format junit > check.xml',
  'docker-layers check',
  'docker-layers check myapp:latest --lowest-efficiency 0.95 --max-layers 12',
  "docker-layers check app.tar --forbid-paths '**/id_rsa' --forbid-paths '**/.env' --format junit > check.xml",
  'docker-layers check myapp:new --baseline myapp:old --max-growth-percent 5',
])

/** The sample's base layer: debian:12 for `flatten --from`, other:2 in a bundle. */
const BASE: ImageSpec = {...SAMPLE, layers: SAMPLE.layers.slice(0, 1), emptyAfter: {}}
/** The sample before its last layer (the chown): old.tar, myapp:old and myapp:1.0, for diff and --baseline. */
const OLD: ImageSpec = {...SAMPLE, layers: SAMPLE.layers.slice(0, 5), emptyAfter: {}}

/** What the engine holds for the examples: the sample under every name the pages use, and its first layer. */
const ENGINE_IMAGES: Record<string, ImageSpec> = {
  'myapp:latest': SAMPLE,
  'myapp:1.0': OLD,
  'myapp:1.1': SAMPLE,
  'myapp:1.2': SAMPLE,
  'myapp:new': SAMPLE,
  'myapp:old': OLD,
  'busybox:latest': SAMPLE,
  'debian:12': BASE,
  'debian:bookworm': BASE,
}
/** A container of myapp:latest, created (`docker create`), never started. */
const ENGINE_CONTAINER = 'my-container'

/**
 * An example needs the engine when it runs the docker CLI, names one of the engine's images or containers, or is
 * `check` with no SOURCE (it checks the images: of .docker-layers.yml, myapp:latest).
 */
function needsEngine(command: string): boolean {
  const words = command.split(/\s+/)
  return (
    /(^|[|&;(]\s*)docker (?!layers)/.test(command) ||
    words.some((word) => word in ENGINE_IMAGES || word === ENGINE_CONTAINER) ||
    asRun(command) === 'docker-layers check'
  )
}

/** The files the pages name, made once; each example gets a fresh directory linking them. */
function makeFixtures(dir: string): void {
  copyFileSync(SAMPLE_PATH, join(dir, 'app.tar'))
  writeFileSync(join(dir, 'new.tar'), legacySave([{...SAMPLE, tag: 'myapp:new'}]))
  writeFileSync(join(dir, 'old.tar'), legacySave([{...OLD, tag: 'myapp:old'}]))
  writeFileSync(join(dir, 'bundle.tar'), legacySave([SAMPLE, {...BASE, tag: 'other:2'}]))
  writeFileSync(join(dir, 'app-oci.tar'), ociArchive([{...SAMPLE, tag: 'myapp:1.2'}]))
  // a multi-platform layout whose index is named latest (oci:./layout:latest)
  const layout = join(dir, 'layout')
  writeOciLayout(layout, [SAMPLE, {...SAMPLE, architecture: 'arm64'}], {platforms: true})
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'))
  index.manifests[0].annotations = {'org.opencontainers.image.ref.name': 'latest'}
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index))
  // the configuration docs/ci.md shows
  const yaml = /```yaml\n(images:[\s\S]*?)\n```/.exec(readFileSync(join(ROOT, 'docs/ci.md'), 'utf8'))
  assert.ok(yaml, 'docs/ci.md shows a .docker-layers.yml')
  writeFileSync(join(dir, '.docker-layers.yml'), `${yaml[1]}\n`)
  symlinkSync(join(ROOT, 'sample'), join(dir, 'sample'))
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'bin', 'docker-layers'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  chmodSync(join(dir, 'bin', 'docker-layers'), 0o755)
}

const FIXTURES = ['app.tar', 'new.tar', 'old.tar', 'bundle.tar', 'app-oci.tar', 'layout', 'sample']
/** The examples that read a configuration: their directory holds the .docker-layers.yml docs/ci.md shows. */
const CONFIGURED = new Set(['docker-layers hook install', 'docker-layers check', 'docker-layers check --print-config'])

/** Runs one example in a fresh directory and checks it ran as shown. */
async function runExample(example: DocExample, fixtures: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const command = asRun(example.command)
  const dir = mkdtempSync(join(tmpdir(), 'dl-example-'))
  try {
    // copies: `docker save -o app.tar` will not write through a link
    for (const name of [...FIXTURES, ...(CONFIGURED.has(command) ? ['.docker-layers.yml'] : [])])
      cpSync(join(fixtures, name), join(dir, name), {recursive: true})
    execFileSync('git', ['init', '-q', dir])
    const vars = {
      ...env,
      PATH: `${join(fixtures, 'bin')}:${process.env.PATH}`,
      DOCKER_CONFIG: join(dir, '.docker'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    }
    const result = await runCli([], {command: ['sh', '-c', command], cwd: dir, env: vars})
    const what = `${example.where}: ${command}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
    assert.equal(result.code, FAILING.has(command) ? 1 : 0, what)
    assert.equal(result.stderr, NOTES[command] ?? '', what)
    if (example.output !== undefined) assert.equal(result.stdout, example.output, what)
    const redirect = /\s>>?\s*"?([^"\s]+)"?$/.exec(command)
    const target = redirect?.[1].replace('$GITHUB_STEP_SUMMARY', vars.GITHUB_STEP_SUMMARY)
    const out = target ? readFileSync(resolve(dir, target), 'utf8') : result.stdout
    assert.notEqual(out, '', what)
    const format = /--format (\S+)/.exec(command)?.[1]
    if (format === 'json') JSON.parse(out)
    if (format === 'junit') assert.match(out, /^<\?xml /, what)
    if (format === 'csv') {
      const rows = out
        .trimEnd()
        .split('\n')
        .map((row) => row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.length)
      assert.deepEqual(
        rows,
        rows.map(() => rows[0]),
        what,
      )
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

describe('the examples of README.md and docs/ run as shown (issue 12)', function () {
  const examples = docExamples(ROOT)
  const run = examples.filter((e) => !(e.command in SKIPPED))
  let fixtures: string

  before(() => {
    fixtures = mkdtempSync(join(tmpdir(), 'dl-examples-'))
    makeFixtures(fixtures)
  })
  after(() => rmSync(fixtures, {recursive: true, force: true}))

  it('every skipped example, failing check, note and configured example is one of the pages', () => {
    const commands = new Set(examples.map((e) => e.command))
    const runs = new Set(run.map((e) => asRun(e.command)))
    assert.deepEqual(
      Object.keys(SKIPPED).filter((c) => !commands.has(c)),
      [],
    )
    assert.deepEqual(
      [...FAILING, ...Object.keys(NOTES), ...CONFIGURED].filter((c) => !runs.has(c)),
      [],
    )
    // 70 examples: 8 skipped, 35 run without an engine, 27 in one
    assert.deepEqual([examples.length, run.length, run.filter((e) => needsEngine(e.command)).length], [70, 62, 27])
  })

  describe('without an engine', () => {
    for (const example of run.filter((e) => !needsEngine(e.command))) {
      it(`${example.where}: ${example.command}`, () => runExample(example, fixtures))
    }
  })

  describe('in a private dockerd', function () {
    let engine: PrivateEngine

    before(async function () {
      requirePrerequisites(this, 'engine')
      this.timeout(300_000)
      engine = await startDockerd()
      for (const [tag, spec] of Object.entries(ENGINE_IMAGES)) {
        const load = await engine.docker(['load', '-q'], {stdin: legacySave([{...spec, tag}])})
        assert.equal(load.code, 0, load.stderr)
      }
      const create = await engine.docker(['create', '--name', ENGINE_CONTAINER, 'myapp:latest', 'x'])
      assert.equal(create.code, 0, create.stderr)
      // a file written into it, as a build step would: what `container` reports
      writeFileSync(join(engine.dir, 'build.log'), 'x'.repeat(1000))
      const copy = await engine.docker(['cp', join(engine.dir, 'build.log'), `${ENGINE_CONTAINER}:/tmp/build.log`])
      assert.equal(copy.code, 0, copy.stderr)
    })
    after(async () => {
      await engine?.stop()
    })

    for (const example of run.filter((e) => needsEngine(e.command))) {
      it(`${example.where}: ${example.command}`, () => runExample(example, fixtures, engine.env))
    }
  })
})
