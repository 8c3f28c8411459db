import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {dirname, join} from 'node:path'

import {SAMPLE_PATH} from '../../scripts/make-sample.js'
import {analyzeJson, BIN, runCli} from '../helpers/cli.js'
import {legacySave, scratch} from '../helpers/images.js'
import {PEER} from '../helpers/peer.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'

async function check(args: string[], options: Parameters<typeof runCli>[1] = {}) {
  const result = await runCli(['check', ...args, '--format', 'json'], options)
  const report = result.stdout ? JSON.parse(result.stdout) : undefined
  const rules: any[] = report?.images[0].rules ?? []
  const status = Object.fromEntries(rules.map((r) => [r.rule, r.status]))
  /** Each rule that is on: "status: message (from)". */
  const verdicts = Object.fromEntries(
    rules.filter((r) => r.status !== 'off').map((r) => [r.rule, `${r.status}: ${r.message} (${r.from})`]),
  )
  return {code: result.code, stderr: result.stderr, report, status, verdicts}
}

describe('check: dive compatibility', function () {
  before(function () {
    requirePrerequisites(this, 'peerFixtures')
  })
  const fixture = `${PEER}dive/test-docker-image.tar`
  const dive = (e: string, w: string, u: string) =>
    check([fixture, '--lowestEfficiency', e, '--highestWastedBytes', w, '--highestUserWastedPercent', u])

  // dive's published figures for this image (peer-fixtures README): efficiency 0.9844212134184309, 32,025
  // inefficient bytes, user-wasted 0.4834911001404049; ratios print to 6 decimals, sizes as docker does
  it(
    "dive's evaluator cases: (0.99, 1B, 0.01) fail all, (0.9, 50kB, 0.5) pass all, (0.9, 1B, 0.5) fail only " +
      'highestWastedBytes',
    async () => {
      const all = await dive('0.99', '1B', '0.01')
      assert.deepEqual(
        [all.code, all.stderr, all.verdicts],
        [
          1,
          '',
          {
            lowestEfficiency: 'fail: 0.984421 below 0.99 (--lowestEfficiency)',
            highestWastedBytes: 'fail: 32kB above 1B (--highestWastedBytes)',
            highestUserWastedPercent: 'fail: 0.483491 above 0.01 (--highestUserWastedPercent)',
          },
        ],
      )
      const none = await dive('0.9', '50kB', '0.5')
      assert.deepEqual(
        [none.code, none.stderr, none.verdicts],
        [
          0,
          '',
          {
            lowestEfficiency: 'pass: 0.984421 at or above 0.9 (--lowestEfficiency)',
            highestWastedBytes: 'pass: 32kB within 50kB (--highestWastedBytes)',
            highestUserWastedPercent: 'pass: 0.483491 within 0.5 (--highestUserWastedPercent)',
          },
        ],
      )
      const one = await dive('0.9', '1B', '0.5')
      assert.deepEqual([one.code, one.stderr, one.report.passed], [1, '', false])
      assert.deepEqual(one.report.images[0].rules[1], {
        rule: 'highestWastedBytes',
        from: '--highestWastedBytes',
        threshold: 1,
        status: 'fail',
        value: 32_025,
        valueText: '32kB',
        thresholdText: '1B',
        message: '32kB above 1B',
      })
      assert.deepEqual([one.status.lowestEfficiency, one.status.highestUserWastedPercent], ['pass', 'pass'])
    },
  )

  it("reads dive's .dive-ci as it is (plugins and plugin rules ignored)", async () => {
    // the CLI names the config by its working directory, which the OS gives resolved (the peer fixtures may sit
    // behind a symlink)
    const printed = await runCli(['check', '--print-config', '--format', 'json'], {cwd: `${PEER}dive`})
    const rules = Object.fromEntries(JSON.parse(printed.stdout).rules.map((r: any) => [r.rule, [r.value, r.from]]))
    assert.deepEqual(rules.lowestEfficiency, ['0.95', `${realpathSync(`${PEER}dive`)}/.dive-ci`])
    assert.deepEqual(rules.highestWastedBytes, ['20Mb', `${realpathSync(`${PEER}dive`)}/.dive-ci`])
    assert.deepEqual(rules.highestUserWastedPercent, ['0.5', `${realpathSync(`${PEER}dive`)}/.dive-ci`])
    assert.deepEqual(rules.maxLayers, ['off', 'default'])
    const result = await check(['test-docker-image.tar'], {cwd: `${PEER}dive`})
    const diveCi = `${realpathSync(`${PEER}dive`)}/.dive-ci`
    assert.deepEqual(
      [result.code, result.stderr, result.verdicts],
      [
        0,
        '',
        {
          lowestEfficiency: `pass: 0.984421 at or above 0.95 (${diveCi})`,
          highestWastedBytes: `pass: 32kB within 20MB (${diveCi})`,
          highestUserWastedPercent: `pass: 0.483491 within 0.5 (${diveCi})`,
        },
      ],
    )
    const flagWins = await check(['test-docker-image.tar', '--lowest-efficiency', '0.99'], {cwd: `${PEER}dive`})
    assert.deepEqual(
      [flagWins.code, flagWins.stderr, flagWins.verdicts.lowestEfficiency],
      [1, '', 'fail: 0.984421 below 0.99 (--lowest-efficiency)'],
    )
  })
})

describe('check: own rules, configuration, formats', () => {
  const tmp = scratch()
  after(() => tmp.remove())

  // The sample (scripts/make-sample.ts): 6 layers, 323599 bytes, largest layer 165000, wasted 117494 (36.31%),
  // /root/.ssh/id_rsa in layer 3. Sizes print rounded as docker prints them, so both sides may read alike.
  const LAYER_1 = '(layer 1: RUN apt-get update && apt-get install -y curl)'
  const cases: Array<[string, string, string, string, string]> = [
    ['maxImageBytes', '323599', '323598', '324kB within 324kB', '324kB above 324kB'],
    ['maxLayers', '6', '5', '6 within 6', '6 above 5'],
    ['maxLayerBytes', '165kB', '164999', `165kB ${LAYER_1} within 165kB`, `165kB ${LAYER_1} above 165kB`],
    ['maxWastedBytes', '117494B', '117.49kB', '117kB within 117kB', '117kB above 117kB'],
    ['maxWastedPercent', '36.31%', '36.3', '36.31% within 36.31%', '36.31% above 36.30%'],
  ]
  for (const [rule, passing, failing, passText, failText] of cases) {
    it(`${rule}: passes at ${passing}, fails at ${failing}`, async () => {
      const pass = await check([
        SAMPLE_PATH,
        `--${rule}`,
        passing,
        '--lowestEfficiency',
        'off',
        '--highestUserWastedPercent',
        'disabled',
      ])
      assert.deepEqual([pass.code, pass.stderr, pass.verdicts], [0, '', {[rule]: `pass: ${passText} (--${rule})`}])
      const fail = await check([
        SAMPLE_PATH,
        `--${rule}`,
        failing,
        '--lowestEfficiency',
        'off',
        '--highestUserWastedPercent',
        'false',
      ])
      assert.deepEqual([fail.code, fail.stderr, fail.verdicts], [1, '', {[rule]: `fail: ${failText} (--${rule})`}])
    })
  }

  it('maxLayerBytes names the largest layer', async () => {
    const result = await runCli([
      'check',
      SAMPLE_PATH,
      '--max-layer-bytes',
      '100kB',
      '--lowest-efficiency',
      'off',
      '--highest-user-wasted-percent',
      'off',
    ])
    assert.equal(result.code, 1)
    assert.match(
      result.stdout,
      /^maxLayerBytes +FAIL +165kB \(layer 1: RUN apt-get update && apt-get install -y curl\) +100kB +--max-layer-bytes$/m,
    )
    assert.match(result.stdout, /^Result: FAIL \(1 of 1 rule failed\)$/m)
  })

  it('forbidPaths finds a key that a later layer "deleted", naming path and layer', async () => {
    const fail = await check([
      SAMPLE_PATH,
      '--forbid-paths',
      '**/id_rsa',
      '--forbidPaths',
      '/etc/shadow',
      '--lowestEfficiency',
      'off',
      '--highestUserWastedPercent',
      'off',
    ])
    assert.deepEqual([fail.code, fail.stderr], [1, ''])
    const rule = fail.report.images[0].rules.find((r: any) => r.rule === 'forbidPaths')
    assert.deepEqual(
      [rule.status, rule.value, rule.message, rule.threshold],
      ['fail', 1, '/root/.ssh/id_rsa (layer 3)', ['**/id_rsa', '/etc/shadow']],
    )
    const pass = await check([
      SAMPLE_PATH,
      '--forbidPaths',
      '**/*.pem',
      '--lowestEfficiency',
      'off',
      '--highestUserWastedPercent',
      'off',
    ])
    assert.deepEqual(
      [pass.code, pass.stderr, pass.verdicts],
      [0, '', {forbidPaths: 'pass: no path matches (--forbidPaths)'}],
    )
  })

  it('growth against a baseline image or a saved analyze report', async () => {
    const smaller = tmp.file(
      'base.tar',
      legacySave([{tag: 'base:1', layers: [{members: [{path: 'a', size: 300_000}]}]}]),
    )
    const saved = tmp.file('base.json', JSON.stringify(await analyzeJson([smaller])))
    for (const baseline of [smaller, saved]) {
      // 323599 - 300000 = 23599 bytes, 7.87%
      const pass = await check([
        SAMPLE_PATH,
        '--baseline',
        baseline,
        '--maxGrowthBytes',
        '23599',
        '--maxGrowthPercent',
        '7.9',
        '--lowestEfficiency',
        'off',
        '--highestUserWastedPercent',
        'off',
      ])
      assert.deepEqual(
        [pass.code, pass.stderr, pass.verdicts],
        [
          0,
          '',
          {
            maxGrowthBytes: 'pass: 23.6kB within 23.6kB (--maxGrowthBytes)',
            maxGrowthPercent: 'pass: 7.87% within 7.90% (--maxGrowthPercent)',
          },
        ],
      )
      const fail = await check([
        SAMPLE_PATH,
        '--baseline',
        baseline,
        '--max-growth-bytes',
        '23598',
        '--max-growth-percent',
        '7.8',
        '--lowestEfficiency',
        'off',
        '--highestUserWastedPercent',
        'off',
      ])
      assert.deepEqual(
        [fail.code, fail.stderr, fail.verdicts],
        [
          1,
          '',
          {
            maxGrowthBytes: 'fail: 23.6kB above 23.6kB (--max-growth-bytes)',
            maxGrowthPercent: 'fail: 7.87% above 7.80% (--max-growth-percent)',
          },
        ],
      )
    }
    const missing = await runCli(['check', SAMPLE_PATH, '--maxGrowthBytes', '1'])
    assert.deepEqual(
      [missing.code, missing.stderr],
      [2, 'docker-layers: maxGrowthBytes needs --baseline (a previous image, or a saved analyze --format json)\n'],
    )
  })

  it('.docker-layers.yml is found from a subdirectory up to the repository root; flags win; images: are checked', async () => {
    const repo = join(tmp.dir, 'repo')
    mkdirSync(join(repo, 'sub', 'deeper'), {recursive: true})
    mkdirSync(join(repo, '.git'))
    writeFileSync(
      join(repo, '.docker-layers.yml'),
      `images:\n  - ${SAMPLE_PATH}\nrules:\n  lowestEfficiency: 0.5\n  highestUserWastedPercent: 0.9\n  maxLayers: ` +
        `5\n  forbidPaths: ['**/id_rsa']\n`,
    )
    const yml = join(repo, '.docker-layers.yml')
    const result = await check([], {cwd: join(repo, 'sub', 'deeper')})
    assert.deepEqual(
      [result.code, result.stderr, result.report.images[0].source, result.verdicts],
      [
        1,
        '',
        SAMPLE_PATH,
        {
          lowestEfficiency: `pass: 0.82542 at or above 0.5 (${yml})`,
          highestUserWastedPercent: `pass: 0.380266 within 0.9 (${yml})`,
          maxLayers: `fail: 6 above 5 (${yml})`,
          forbidPaths: `fail: /root/.ssh/id_rsa (layer 3) (${yml})`,
        },
      ],
    )
    const overridden = await check(['--maxLayers', '6', '--forbidPaths', 'off'], {cwd: join(repo, 'sub')})
    assert.deepEqual(
      [overridden.code, overridden.stderr, overridden.verdicts],
      [
        0,
        '',
        {
          lowestEfficiency: `pass: 0.82542 at or above 0.5 (${yml})`,
          highestUserWastedPercent: `pass: 0.380266 within 0.9 (${yml})`,
          maxLayers: 'pass: 6 within 6 (--maxLayers)',
        },
      ],
    )
    const printed = await runCli(['check', '--print-config'], {cwd: repo})
    const row = (rule: string, value: string, from: string) => `${rule.padEnd(27)}${value.padEnd(12)}${from}`
    assert.deepEqual(
      [printed.code, printed.stderr, printed.stdout.split('\n')],
      [
        0,
        '',
        [
          `Config: ${yml}`,
          '',
          row('RULE', 'VALUE', 'FROM'),
          row('lowestEfficiency', '0.5', yml),
          row('highestWastedBytes', 'disabled', 'default (dive)'),
          row('highestUserWastedPercent', '0.9', yml),
          row('maxImageBytes', 'off', 'default'),
          row('maxLayers', '5', yml),
          row('maxLayerBytes', 'off', 'default'),
          row('maxWastedBytes', 'off', 'default'),
          row('maxWastedPercent', 'off', 'default'),
          row('maxGrowthBytes', 'off', 'default'),
          row('maxGrowthPercent', 'off', 'default'),
          row('forbidPaths', '**/id_rsa', yml),
          '',
        ],
      ],
    )
  })

  it('bad rules and thresholds are usage errors', async () => {
    const config = tmp.file('bad.yml', 'rules:\n  maxLayer: 3\n')
    const unknown = await runCli(['check', SAMPLE_PATH, '--config', config])
    assert.deepEqual([unknown.code, unknown.stderr], [2, `docker-layers: ${config}: unknown rule maxLayer\n`])
    const threshold = await runCli(['check', SAMPLE_PATH, '--highestWastedBytes', 'lots'])
    assert.deepEqual(
      [threshold.code, threshold.stderr],
      [
        2,
        'docker-layers: highestWastedBytes "lots" (from --highestWastedBytes): expected a size such as 20MB, 512KiB or 1B\n',
      ],
    )
    const ratio = await runCli(['check', SAMPLE_PATH, '--lowestEfficiency', '95'])
    assert.deepEqual(
      [ratio.code, ratio.stderr],
      [2, 'docker-layers: lowestEfficiency "95" (from --lowestEfficiency): expected a ratio from 0 to 1\n'],
    )
    const nothing = await runCli(['check'], {cwd: tmp.dir})
    assert.deepEqual(
      [nothing.code, nothing.stdout, nothing.stderr],
      [2, '', 'docker-layers: nothing to check: give SOURCE, or create .docker-layers.yml with images:\n'],
    )
  })

  it("highestUserWastedPercent takes dive's ratio above 1, as dive does", async () => {
    // by hand: /a written with 1,000 bytes, then with 400: dive counts both copies as inefficient (1,400) over
    // the 400 bytes the layers above the first add: 3.5
    const image = tmp.file(
      'rewrite.tar',
      legacySave([
        {tag: 'rewrite:1', layers: [{members: [{path: 'a', size: 1000}]}, {members: [{path: 'a', size: 400}]}]},
      ]),
    )
    const analyzed = await analyzeJson([image])
    assert.deepEqual(analyzed.summary.dive, {efficiency: 400 / 1400, inefficientBytes: 1400, userWastedPercent: 3.5})
    const args = [image, '--lowestEfficiency', 'off', '--highestUserWastedPercent']
    const pass = await check([...args, '3.5'])
    assert.deepEqual(
      [pass.code, pass.stderr, pass.verdicts],
      [0, '', {highestUserWastedPercent: 'pass: 3.5 within 3.5 (--highestUserWastedPercent)'}],
    )
    const fail = await check([...args, '2.75'])
    assert.deepEqual(
      [fail.code, fail.stderr, fail.verdicts],
      [1, '', {highestUserWastedPercent: 'fail: 3.5 above 2.75 (--highestUserWastedPercent)'}],
    )
    const negative = await runCli(['check', ...args, '-1'])
    assert.deepEqual(
      [negative.code, negative.stdout, negative.stderr],
      [
        2,
        '',
        'docker-layers: highestUserWastedPercent "-1" (from --highestUserWastedPercent): expected a number from 0, such as 0.1 or 2.5\n',
      ],
    )
  })

  it('JUnit and Markdown, and the step summary GitHub Actions reads', async () => {
    const summary = tmp.file('summary.md', '')
    const junit = await runCli(['check', SAMPLE_PATH, '--format', 'junit', '--maxLayers', '5'], {
      env: {GITHUB_STEP_SUMMARY: summary},
    })
    assert.deepEqual([junit.code, junit.stderr], [1, ''])
    assert.match(junit.stdout, /^<testsuites name="docker-layers check" tests="11" failures="3" skipped="8">$/m)
    assert.ok(
      junit.stdout.includes(
        '<testcase classname="docker-layers.check" name="maxLayers">\n      ' +
          '<failure message="6 above 5">maxLayers: 6 above 5 (threshold from --maxLayers)</failure>',
      ),
      junit.stdout,
    )
    assert.match(
      junit.stdout,
      /<testcase classname="docker-layers.check" name="highestUserWastedPercent">\n {6}<failure message="0.380266 above 0.1">/,
    )
    const markdown = readFileSync(summary, 'utf8')
    assert.match(markdown, /^### docker-layers check: ❌ failed$/m)
    assert.match(markdown, /^\| maxLayers \| ❌ fail \| 6 \| 5 \| --maxLayers \|$/m)
    const md = await runCli([
      'check',
      SAMPLE_PATH,
      '--format',
      'markdown',
      '--lowestEfficiency',
      '0.8',
      '--highestUserWastedPercent',
      '0.4',
    ])
    assert.deepEqual([md.code, md.stderr], [0, ''])
    assert.match(md.stdout, /^\| lowestEfficiency \| ✅ pass \| 0\.82542 \| 0\.8 \| --lowestEfficiency \|$/m)
  })
})

const ROOT = dirname(dirname(BIN))

describe('hook: a real git push refused while a rule fails', function () {
  before(function () {
    requirePrerequisites(this, 'gitHook')
  })
  const tmp = scratch()
  after(() => tmp.remove())
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    })
  const push = (cwd: string, env: NodeJS.ProcessEnv = {}) => {
    try {
      const output = execFileSync('git', ['push', 'origin', 'HEAD:refs/heads/main'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {...process.env, ...env},
      })
      return {code: 0, output}
    } catch (error) {
      const e = error as {status: number; stderr: string; stdout: string}
      return {code: e.status, output: `${e.stdout}${e.stderr}`}
    }
  }

  function repo(name: string): string {
    const remote = join(tmp.dir, `${name}.git`)
    const work = join(tmp.dir, name)
    execFileSync('git', ['init', '-q', '--bare', remote])
    execFileSync('git', ['init', '-q', work])
    git(work, 'remote', 'add', 'origin', remote)
    cpSync(SAMPLE_PATH, join(work, 'image.tar'))
    return work
  }

  it('installs, refuses, accepts once the rule passes, and chains and restores an existing hook', async () => {
    const work = repo('app')
    writeFileSync(
      join(work, '.docker-layers.yml'),
      'images: [image.tar]\nrules:\n  lowestEfficiency: 0.8\n  highestUserWastedPercent: off\n  maxWastedBytes: 1kB\n',
    )
    git(work, 'add', '.')
    git(work, 'commit', '-qm', 'one')
    const existing = join(work, '.git', 'hooks', 'pre-push')
    writeFileSync(existing, '#!/bin/sh\necho "earlier hook saw: $1" >&2\ncat > /dev/null\n')
    chmodSync(existing, 0o755)
    const install = await runCli(['hook', 'install'], {cwd: work})
    assert.deepEqual(
      [install.code, install.stdout],
      [0, `Installed ${existing} (the hook that was there runs first)\n`],
    )
    const refused = push(work)
    assert.equal(refused.code, 1) // git push's own code when a pre-push hook fails
    assert.match(refused.output, /earlier hook saw: origin/)
    assert.match(refused.output, /maxWastedBytes +FAIL +117kB +1kB/)
    assert.match(refused.output, /failed to push some refs/)
    writeFileSync(
      join(work, '.docker-layers.yml'),
      'images: [image.tar]\nrules:\n  lowestEfficiency: 0.8\n  highestUserWastedPercent: off\n  maxWastedBytes: 200kB\n',
    )
    git(work, 'commit', '-qam', 'two')
    const accepted = push(work)
    assert.equal(accepted.code, 0, accepted.output)
    assert.match(accepted.output, /Result: PASS/)
    assert.equal(git(join(tmp.dir, 'app.git'), 'log', '--format=%s', 'main'), 'two\none\n')
    const uninstall = await runCli(['hook', 'uninstall'], {cwd: work})
    assert.deepEqual([uninstall.code, uninstall.stdout], [0, `Removed ${existing} and restored the previous hook\n`])
    assert.equal(readFileSync(existing, 'utf8'), '#!/bin/sh\necho "earlier hook saw: $1" >&2\ncat > /dev/null\n')
  })

  it('leaves a pre-push hook it did not write, and refuses to work outside a git repository', async () => {
    const work = repo('foreign')
    const hook = join(work, '.git', 'hooks', 'pre-push')
    writeFileSync(hook, '#!/bin/sh\nexit 0\n')
    const uninstall = await runCli(['hook', 'uninstall'], {cwd: work})
    assert.deepEqual(
      [uninstall.code, uninstall.stdout, uninstall.stderr],
      [2, '', `docker-layers: ${hook} was not written by docker-layers; left as it is\n`],
    )
    assert.equal(readFileSync(hook, 'utf8'), '#!/bin/sh\nexit 0\n')
    const outside = join(tmp.dir, 'no-repo')
    mkdirSync(outside)
    for (const command of ['install', 'uninstall']) {
      // GIT_CEILING_DIRECTORIES: git looks no higher than the scratch directory for a repository
      const result = await runCli(['hook', command], {cwd: outside, env: {GIT_CEILING_DIRECTORIES: tmp.dir}})
      assert.deepEqual(
        [result.code, result.stdout, result.stderr],
        [2, '', `docker-layers: ${outside} is not inside a git repository\n`],
      )
    }
    assert.deepEqual(readdirSync(outside), [])
  })

  it('respects core.hooksPath and --images', async () => {
    const work = repo('paths')
    git(work, 'config', 'core.hooksPath', '.githooks')
    writeFileSync(join(work, 'README'), 'x')
    git(work, 'add', '.')
    git(work, 'commit', '-qm', 'one')
    const install = await runCli(['hook', 'install', '--images', 'image.tar'], {cwd: work})
    assert.deepEqual(
      [install.code, install.stderr, install.stdout],
      [0, '', `Installed ${join(work, '.githooks', 'pre-push')}\n`],
    )
    assert.equal(existsSync(join(work, '.githooks', 'pre-push')), true)
    // no config: dive's defaults (lowestEfficiency 0.9) fail the sample's 0.825
    const refused = push(work)
    assert.equal(refused.code, 1)
    assert.match(refused.output, /lowestEfficiency +FAIL +0\.82542 +0\.9 +default \(dive\)/)
    const uninstall = await runCli(['hook', 'uninstall'], {cwd: work})
    assert.equal(uninstall.stdout, `Removed ${join(work, '.githooks', 'pre-push')}\n`)
    assert.equal(push(work).code, 0)
  })

  it('refuses to install a hook with nothing to check (exit 2, saying what to add) unless --force', async () => {
    const work = repo('empty')
    mkdirSync(join(work, 'sub'))
    const hook = join(work, '.git', 'hooks', 'pre-push')
    const none = await runCli(['hook', 'install'], {cwd: join(work, 'sub')})
    assert.deepEqual(
      [none.code, none.stderr],
      [
        2,
        `docker-layers: nothing for the hook to check: give --images IMAGE, or create ${work}/.docker-layers.yml ` +
          `with images:; --force installs it anyway\n`,
      ],
    )
    assert.equal(existsSync(hook), false)
    // with only dive's file, the message names a .docker-layers.yml to create, never dive's file to extend
    writeFileSync(join(work, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.8\n')
    const dive = await runCli(['hook', 'install'], {cwd: work})
    assert.deepEqual(
      [dive.code, dive.stderr],
      [
        2,
        `docker-layers: nothing for the hook to check: give --images IMAGE, or create ${work}/.docker-layers.yml ` +
          `with images: and rules: (it is read instead of ${work}/.dive-ci); --force installs it anyway\n`,
      ],
    )
    const check = await runCli(['check'], {cwd: work})
    assert.deepEqual(
      [check.code, check.stderr],
      [
        2,
        `docker-layers: nothing to check: give SOURCE, or create ${work}/.docker-layers.yml with images: and ` +
          `rules: (it is read instead of ${work}/.dive-ci)\n`,
      ],
    )
    writeFileSync(join(work, '.docker-layers.yml'), 'rules:\n  maxLayers: 10\n')
    const empty = await runCli(['hook', 'install'], {cwd: work})
    assert.deepEqual(
      [empty.code, empty.stderr],
      [
        2,
        `docker-layers: nothing for the hook to check: give --images IMAGE, or list images: in ${work}/.docker-layers.yml; ` +
          `--force installs it anyway\n`,
      ],
    )
    const forced = await runCli(['hook', 'install', '--force'], {cwd: work})
    assert.deepEqual([forced.code, forced.stdout], [0, `Installed ${hook}\n`])
  })

  it('the hook finds docker-layers when it runs: after the package moved, on PATH, in node_modules, as the docker plugin', async () => {
    const work = repo('moved')
    writeFileSync(join(work, '.docker-layers.yml'), 'images: [image.tar]\nrules:\n  maxWastedBytes: 1kB\n')
    git(work, 'add', '.')
    git(work, 'commit', '-qm', 'one')
    // a copy of the package, installed from, then moved away (as an upgrade or a new checkout does)
    const installed = join(tmp.dir, 'package-then')
    mkdirSync(join(installed, 'bin'), {recursive: true})
    for (const part of ['bin/run.js', 'dist', 'package.json', 'oclif.manifest.json'])
      cpSync(join(ROOT, part), join(installed, part), {recursive: true})
    symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'))
    const install = await runCli(['hook', 'install'], {
      cwd: work,
      command: [process.execPath, join(installed, 'bin/run.js')],
    })
    assert.equal(install.code, 0, install.stderr)
    // nothing on PATH but the system's programs and node; no docker CLI plugin
    const dockerConfig = join(tmp.dir, 'docker-config')
    mkdirSync(dockerConfig)
    const bare = {PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, DOCKER_CONFIG: dockerConfig}
    const refusedBy = (env: NodeJS.ProcessEnv) => {
      const result = push(work, env)
      assert.notEqual(result.code, 0)
      assert.match(result.output, /maxWastedBytes +FAIL +117kB +1kB/)
    }
    refusedBy(bare) // the install path, as a fallback
    const moved = join(tmp.dir, 'package-now')
    renameSync(installed, moved)
    const lost = push(work, bare)
    assert.notEqual(lost.code, 0)
    assert.match(
      lost.output,
      /^docker-layers pre-push hook: docker-layers is not installed \(npm install -g docker-layers\), nor the docker CLI plugin$/m,
    )
    const bin = join(tmp.dir, 'path-bin')
    mkdirSync(bin)
    symlinkSync(join(moved, 'bin/run.js'), join(bin, 'docker-layers'))
    refusedBy({...bare, PATH: `${bin}:${bare.PATH}`})
    mkdirSync(join(work, 'node_modules', '.bin'), {recursive: true})
    symlinkSync(join(moved, 'bin/run.js'), join(work, 'node_modules', '.bin', 'docker-layers'))
    refusedBy(bare)
    rmSync(join(work, 'node_modules'), {recursive: true})
    const plugin = await runCli(['plugin', 'install'], {
      env: {DOCKER_CONFIG: dockerConfig},
      command: [process.execPath, join(moved, 'bin/run.js')],
    })
    assert.equal(plugin.code, 0, plugin.stderr)
    refusedBy(bare)
  })
})
