import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {SAMPLE_PATH} from '../../scripts/make-sample.js'
import {runCli} from '../helpers/cli.js'
import {scratch} from '../helpers/images.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'

/** As the docker CLI runs its plugin: docker's global flags, the plugin's name, the user's arguments. */
const PLUGIN = {DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND: '/usr/bin/docker'}

/** The USAGE block of a help text. */
function usage(help: string): string {
  return help.slice(help.indexOf('USAGE\n'), help.indexOf('\n\n', help.indexOf('USAGE\n')))
}

describe('commands and help', function () {
  this.timeout(120_000)
  const tmp = scratch()
  after(() => tmp.remove())

  it('version, --version, help and help COMMAND', async () => {
    const userAgent = `docker-layers/0.1.0 ${process.platform}-${process.arch} node-${process.version}\n`
    for (const args of [['version'], ['--version']]) {
      assert.deepEqual(await runCli(args), {code: 0, stdout: userAgent, stderr: ''})
    }
    const help = await runCli(['help'])
    assert.equal(help.code, 0)
    assert.equal(usage(help.stdout), 'USAGE\n  $ docker-layers [COMMAND]')
    assert.match(help.stdout, /^ {2}analyze {7}Show where the bytes of an image go, layer by layer, and what it$/m)
    const topic = await runCli(['help', 'diff'])
    assert.deepEqual([topic.code, topic.stdout], [0, (await runCli(['diff', '--help'])).stdout])
  })

  it('an unknown command is named alone, with the nearest command when one is close; exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['anlyze', 'app.tar'], 'docker-layers: unknown command "anlyze"; did you mean "analyze"?\n'],
      [['hook', 'instal'], 'docker-layers: unknown command "hook instal"; did you mean "hook install"?\n'],
      [['frobnicate', 'x', 'y'], 'docker-layers: unknown command "frobnicate"; see docker-layers help\n'],
    ]
    for (const [args, stderr] of cases) assert.deepEqual(await runCli(args), {code: 2, stdout: '', stderr})
  })

  it('a missing argument is one line: which, what it is, and the usage', async () => {
    assert.deepEqual(await runCli(['diff', 'app.tar']), {
      code: 2,
      stdout: '',
      stderr: 'docker-layers: missing argument B (the image after); usage: docker-layers diff A B\n',
    })
    assert.deepEqual(await runCli(['diff']), {
      code: 2,
      stdout: '',
      stderr:
        'docker-layers: missing arguments A (the image before) and B (the image after); usage: docker-layers diff A B\n',
    })
    assert.deepEqual(await runCli(['container']), {
      code: 2,
      stdout: '',
      stderr:
        'docker-layers: missing argument CONTAINER (container name or ID); usage: docker-layers container CONTAINER\n',
    })
  })

  it('as the docker plugin, help, examples and errors say `docker layers`', async () => {
    const help = await runCli(['--context', 'default', 'layers', 'help', 'waste'], {env: PLUGIN})
    assert.equal(
      usage(help.stdout),
      [
        'USAGE',
        '  $ docker layers waste SOURCE [-f <value>] [--duplicates]',
        '    [--no-trunc] [--image <value>] [--platform <value>] [-q] [--via',
        '    auto|store|save] [-c <value>] [-H <value>] [--creds <value>] [--tls-verify',
        '    true|false]',
      ].join('\n'),
    )
    assert.match(help.stdout, /^ {2}\$ docker layers waste myapp:latest$/m)
    assert.doesNotMatch(help.stdout, /docker-layers/)
    assert.deepEqual(await runCli(['layers', 'files'], {env: PLUGIN}), {
      code: 2,
      stdout: '',
      stderr:
        'docker layers: missing argument SOURCE (image, archive, layout or - for stdin); usage: docker layers files SOURCE\n',
    })
    assert.deepEqual(await runCli(['layers', 'anlyze'], {env: PLUGIN}), {
      code: 2,
      stdout: '',
      stderr: 'docker layers: unknown command "anlyze"; did you mean "analyze"?\n',
    })
  })

  it("docker's global flags before the command name the engine", async () => {
    const socket = join(tmp.dir, 'none.sock')
    const expected = {
      code: 2,
      stdout: '',
      stderr: `docker-layers: cannot connect to the Docker engine at unix://${socket} (from --host): no such socket\n`,
    }
    assert.deepEqual(await runCli(['-H', `unix://${socket}`, 'analyze', 'app:1', '-q']), expected)
    assert.deepEqual(await runCli(['layers', `--host=unix://${socket}`, 'analyze', 'app:1', '-q'], {env: PLUGIN}), {
      ...expected,
      stderr: expected.stderr.replace('docker-layers', 'docker layers'),
    })
  })

  it("usage strings: analyze's two forms, check's SOURCE, every example a command", async () => {
    const analyze = await runCli(['analyze', '--help'])
    assert.equal(
      usage(analyze.stdout),
      [
        'USAGE',
        '  $ docker-layers analyze SOURCE [flags]',
        '  $ docker-layers analyze --inspect FILE [--history FILE] [flags]',
        '  $ docker-layers analyze --history FILE [flags]',
      ].join('\n'),
    )
    assert.match(analyze.stdout, /^ {2}\$ docker save myapp:1\.2 \| docker-layers analyze - --format json$/m)
    const check = await runCli(['check', '--help'])
    assert.equal(usage(check.stdout), 'USAGE\n  $ docker-layers check [SOURCE...] [flags]')
  })

  it("check: kebab-case rule flags with dive's camelCase as aliases; FROM names the flag as typed", async () => {
    const help = (await runCli(['check', '--help'])).stdout
    assert.match(help, /^ {2}--max-layers=<value> {19}fail when the image has more layers$/m)
    assert.match(help, /^ {41}than this \(alias --maxLayers\)$/m)
    assert.doesNotMatch(help, /^ {2}--maxLayers/m)
    const result = await runCli([
      'check',
      SAMPLE_PATH,
      '--max-layers',
      '3',
      '--maxLayerBytes=1MB',
      '--forbidPaths',
      'x',
      '--forbid-paths',
      '**/id_rsa',
      '--format',
      'json',
    ])
    assert.equal(result.code, 1)
    const from = Object.fromEntries(JSON.parse(result.stdout).images[0].rules.map((r: any) => [r.rule, r.from]))
    assert.deepEqual(
      [from.maxLayers, from.maxLayerBytes, from.forbidPaths],
      ['--max-layers', '--maxLayerBytes', '--forbid-paths'],
    )
  })

  it('bash completes commands, topics and flags (oclif autocomplete)', async () => {
    const env = {XDG_CACHE_HOME: join(tmp.dir, 'cache'), HOME: tmp.dir}
    assert.equal((await runCli(['autocomplete', '--refresh-cache'], {env})).code, 0)
    const setup = await runCli(['autocomplete', 'script', 'bash'], {env})
    assert.equal(setup.code, 0)
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `${setup.stdout}\nsource "$DOCKER_LAYERS_AC_BASH_SETUP_PATH"
read -ra COMP_WORDS <<< "$LINE"; [[ "$LINE" == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE="$LINE"; COMP_POINT=\${#LINE}
_docker-layers_autocomplete; echo "\${COMPREPLY[*]}"`,
        ],
        {env: {...process.env, ...env, LINE: line}, encoding: 'utf8'},
      )
    assert.equal(complete('docker-layers an'), 'analyze\n')
    assert.equal(complete('docker-layers hook '), 'install uninstall\n')
    assert.equal(complete('docker-layers check --max-la'), '--max-layers --max-layer-bytes\n')
  })

  it('fish completes commands, topics, flags and the values of a list, as fish itself runs the script', async function () {
    requirePrerequisites(this, 'fish')
    const script = await runCli(['autocomplete', 'fish'])
    assert.deepEqual([script.code, script.stderr], [0, ''])
    writeFileSync(join(tmp.dir, 'docker-layers.fish'), script.stdout)
    // the candidates fish offers, without their descriptions
    const complete = (line: string) =>
      execFileSync('fish', ['-c', `source ${join(tmp.dir, 'docker-layers.fish')}; complete -C "$LINE"`], {
        env: {...process.env, LINE: line},
        cwd: tmp.dir,
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map((candidate) => candidate.split('\t')[0])
    assert.deepEqual(complete('docker-layers an'), ['analyze'])
    assert.deepEqual(complete('docker-layers hook '), ['install', 'uninstall'])
    assert.deepEqual(complete('docker-layers autocomplete '), ['fish'])
    assert.deepEqual(complete('docker-layers check --max-la'), ['--max-layers', '--max-layer-bytes'])
    assert.deepEqual(complete('docker-layers analyze --via '), ['auto', 'save', 'store'])
    assert.deepEqual(complete('docker-layers flatten --output-format '), ['docker-archive', 'oci-archive'])
    // a command's argument is a path: the files here (the script itself) are offered
    assert.deepEqual(complete('docker-layers analyze docker-l'), ['docker-layers.fish'])
  })
})
