import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {parse} from 'yaml'

import {SAMPLE_PATH} from '../../scripts/make-sample.js'
import {BIN} from '../helpers/cli.js'
import {scratch} from '../helpers/images.js'

const ROOT = dirname(dirname(BIN))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

const FAILING =
  'images: [image.tar]\nrules:\n  lowestEfficiency: 0.8\n  highestUserWastedPercent: off\n  maxWastedBytes: 1kB\n'
const PASSING = 'rules:\n  lowestEfficiency: 0.8\n  highestUserWastedPercent: off\n  maxWastedBytes: 200kB\n'

describe('CI entry points: the GitHub Action and the pre-commit hook, run as their runners run them', () => {
  const tmp = scratch()
  after(() => tmp.remove())
  function workspace(name: string): string {
    const dir = join(tmp.dir, name)
    mkdirSync(dir)
    cpSync(SAMPLE_PATH, join(dir, 'image.tar'))
    writeFileSync(join(dir, '.docker-layers.yml'), FAILING)
    writeFileSync(join(dir, 'passing.yml'), PASSING)
    return dir
  }

  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'))

  /** GitHub's expressions the action may use, as a runner evaluates them for these inputs. */
  function expand(text: string, inputs: Record<string, string>): string {
    return text.replaceAll(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
      if (name === 'github.action_path') return ROOT
      const input = /^inputs\.(\w+)$/.exec(name)?.[1]
      if (input === undefined || !(input in action.inputs)) throw new Error(`action.yml: unexpected expression ${name}`)
      return inputs[input] ?? action.inputs[input].default
    })
  }

  /** Runs the action's steps as a runner runs a composite action: each `run` with `shell: bash` in a script file. */
  async function runAction(inputs: Record<string, string>, cwd: string): Promise<Run & {summary: string}> {
    const summary = join(cwd, `summary-${Object.keys(inputs).join('-')}.md`)
    writeFileSync(summary, '')
    let last: Run = {code: 0, stdout: '', stderr: ''}
    for (const [index, step] of (action.runs.steps as any[]).entries()) {
      assert.equal(step.shell, 'bash')
      assert.doesNotMatch(step.run, /\$\{\{/, 'inputs reach the script through env, never pasted into it')
      const script = join(tmp.dir, `step-${index}.sh`)
      writeFileSync(script, step.run)
      const env = {
        ...process.env,
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: ROOT,
        GITHUB_WORKSPACE: cwd,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: tmp.dir,
        ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), inputs)])),
      }
      const dir = step['working-directory'] ? expand(step['working-directory'], inputs) : cwd
      last = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {cwd: dir, env})
      if (last.code !== 0) break
    }
    return {...last, summary: readFileSync(summary, 'utf8')}
  }

  it('action.yml: a composite action with inputs images, config and format', () => {
    assert.equal(action.runs.using, 'composite')
    assert.deepEqual(Object.keys(action.inputs), ['images', 'config', 'format'])
    assert.deepEqual(
      Object.values(action.inputs).map((input: any) => input.default),
      ['', '', 'table'],
    )
  })

  it("the action checks the config's images, fails the step and writes the job summary", async () => {
    const cwd = workspace('action-failing')
    const result = await runAction({}, cwd)
    assert.equal(result.code, 1, result.stderr)
    assert.match(result.stdout, /^maxWastedBytes +FAIL +117kB +1kB +\S+\/\.docker-layers\.yml$/m)
    assert.match(result.summary, /^### docker-layers check: ❌ failed$/m)
    assert.match(result.summary, /^\| maxWastedBytes \| ❌ fail \| 117kB \| 1kB \| \S+\/\.docker-layers\.yml \|$/m)
  })

  it('the action takes images on several lines, a config and a format', async () => {
    const cwd = workspace('action-inputs')
    const result = await runAction({images: 'image.tar\n  image.tar ', config: 'passing.yml', format: 'json'}, cwd)
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.deepEqual(
      report.images.map((image: any) => [image.source, image.passed]),
      [
        ['image.tar', true],
        ['image.tar', true],
      ],
    )
    assert.match(result.summary, /^### docker-layers check: ✅ passed$/m)
  })

  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'))

  it('.pre-commit-hooks.yaml: one pre-push hook that runs whatever the push changes', () => {
    assert.deepEqual(
      hooks.map((hook: any) => [hook.id, hook.language, hook.stages, hook.pass_filenames, hook.always_run]),
      [['docker-layers-check', 'node', ['pre-push'], false, true]],
    )
  })

  it("the pre-commit hook's entry, run as pre-commit runs it: the env's bin on PATH, at the top level, no file names", async () => {
    const cwd = workspace('pre-commit')
    // pre-commit installs the package into an environment and puts its bin first on PATH
    const bin = join(tmp.dir, 'pre-commit-env', 'bin')
    mkdirSync(bin, {recursive: true})
    symlinkSync(BIN, join(bin, 'docker-layers'))
    const env = {...process.env, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, PRE_COMMIT: '1'}
    const [command, ...args] = hooks[0].entry.split(' ')
    assert.doesNotMatch(hooks[0].entry, /["'\\]/, 'the entry splits on spaces as shlex would')
    const refused = await run(command, [...args, ...(hooks[0].args ?? [])], {cwd, env})
    assert.equal(refused.code, 1, refused.stderr)
    assert.match(refused.stdout, /^maxWastedBytes +FAIL +117kB +1kB +\S+\/\.docker-layers\.yml$/m)
    writeFileSync(join(cwd, '.docker-layers.yml'), `images: [image.tar]\n${PASSING}`)
    const accepted = await run(command, [...args, ...(hooks[0].args ?? [])], {cwd, env})
    assert.equal(accepted.code, 0, accepted.stderr)
    assert.match(accepted.stdout, /^Result: PASS/m)
  })
})
