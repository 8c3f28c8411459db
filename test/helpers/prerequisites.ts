import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {PEER} from './peer.js'

/**
 * Whether each suite with outside prerequisites runs. Outside CI a suite whose prerequisites are missing is
 * skipped with one line saying what to install, which the reporter repeats after the totals; in CI (CI=true)
 * it fails. `.ci/run` installs every package named here.
 */

/** A program the suite runs, found on PATH, and the Debian package that installs it. */
interface Program {
  command: string
  package: string
  /** It must be statically linked (it runs inside an image that holds nothing else). */
  static?: true
}

/** Programs unpacked (not installed) under the directory an environment variable names, as `.ci/run` leaves them. */
interface Unpacked {
  variable: string
  /** Paths under that directory. */
  paths: string[]
  what: string
}

interface Suite {
  title: string
  root?: true
  programs?: Program[]
  files?: Array<{path: string; what: string}>
  unpacked?: Unpacked
}

/**
 * Where `.ci/run` unpacks Debian trixie's docker.io 26, containerd and runc (their paths under it): an engine with
 * containerd's image store.
 */
export const CONTAINERD_ENGINE: Unpacked = {
  variable: 'CONTAINERD_ENGINE_ROOT',
  paths: ['usr/sbin/dockerd', 'usr/bin/containerd', 'usr/bin/containerd-shim-runc-v2', 'usr/bin/runc'],
  what: "Debian trixie's docker.io 26.1, containerd and runc",
}

export const SUITES = {
  engine: {
    title: 'engine suite',
    root: true,
    programs: [
      {command: 'dockerd', package: 'docker.io'},
      {command: 'docker', package: 'docker.io'},
      {command: 'skopeo', package: 'skopeo'},
      {command: 'busybox', package: 'busybox-static', static: true},
    ],
  },
  skopeo: {title: 'skopeo checks', programs: [{command: 'skopeo', package: 'skopeo'}]},
  peerFixtures: {
    title: 'peer-fixture suites',
    files: [{path: PEER, what: "dive's and go-containerregistry's test images"}],
  },
  fullDisk: {title: 'full-disk test', root: true, programs: [{command: 'mount', package: 'mount'}]},
  gitHook: {
    title: 'git hook suite',
    programs: [
      {command: 'git', package: 'git'},
      // the hook finds docker-layers as the docker CLI plugin
      {command: 'docker', package: 'docker.io'},
    ],
  },
  browser: {title: 'browser suite', programs: [{command: 'chromium', package: 'chromium'}]},
  fish: {title: 'fish completion test', programs: [{command: 'fish', package: 'fish'}]},
  registry: {
    title: 'registry suite',
    programs: [
      {command: 'docker-registry', package: 'docker-registry'},
      {command: 'htpasswd', package: 'apache2-utils'},
      {command: 'skopeo', package: 'skopeo'},
      {command: 'openssl', package: 'openssl'},
    ],
  },
  containerdEngine: {
    title: 'containerd image store suite',
    root: true,
    programs: [{command: 'docker', package: 'docker.io'}],
    unpacked: CONTAINERD_ENGINE,
  },
  remoteEngines: {
    title: 'remote-engine suite',
    root: true,
    programs: [
      {command: 'sshd', package: 'openssh-server'},
      {command: 'ssh', package: 'openssh-client'},
      {command: 'ssh-keygen', package: 'openssh-client'},
      {command: 'openssl', package: 'openssl'},
    ],
  },
} satisfies Record<string, Suite>

export type SuiteName = keyof typeof SUITES

/** Every Debian package the suites need, for `.ci/run`. */
export const PACKAGES: string[] = [
  ...new Set(Object.values(SUITES as Record<SuiteName, Suite>).flatMap((s) => s.programs?.map((p) => p.package) ?? [])),
]

/** What the decision reads of the machine. */
export interface Host {
  ci: boolean
  root: boolean
  /** The path of the program a command names on PATH, or undefined. */
  which(command: string): string | undefined
  isStatic(program: string): boolean
  exists(path: string): boolean
  /** An environment variable's value. */
  env(name: string): string | undefined
}

/** This machine and this process's environment. */
export const HOST: Host = {
  ci: Boolean(process.env.CI) && process.env.CI !== 'false',
  root: process.getuid?.() === 0,
  which(command) {
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], {encoding: 'utf8'})
    return found.status === 0 ? found.stdout.trim() : undefined
  },
  isStatic(program) {
    const ldd = spawnSync('ldd', [program], {encoding: 'utf8'})
    return /not a dynamic executable/.test(`${ldd.stdout}${ldd.stderr}`)
  },
  exists: existsSync,
  env: (name) => process.env[name] || undefined,
}

export type Decision = {run: true} | {run: false; fails: boolean; line: string}

export function decide(name: SuiteName, host: Host): Decision {
  const suite: Suite = SUITES[name]
  const missing: string[] = []
  if (suite.root && !host.root) missing.push('run as root')
  const absent = (suite.programs ?? []).filter((program) => {
    const path = host.which(program.command)
    return !path || (program.static && !host.isStatic(path))
  })
  const packages = [...new Set(absent.map((program) => program.package))]
  if (packages.length > 0) missing.push(`apt-get install ${packages.join(' ')} (.ci/run installs them)`)
  for (const file of suite.files ?? []) if (!host.exists(file.path)) missing.push(`no ${file.path} (${file.what})`)
  if (suite.unpacked) {
    const {variable, paths, what} = suite.unpacked
    const dir = host.env(variable)
    if (!dir || !paths.every((path) => host.exists(join(dir, path))))
      missing.push(`${variable} naming ${what} unpacked there (.ci/run unpacks them)`)
  }
  if (missing.length === 0) return {run: true}
  return host.ci
    ? {run: false, fails: true, line: `${suite.title} must run in CI: ${missing.join('; ')}`}
    : {run: false, fails: false, line: `${suite.title} skipped: ${missing.join('; ')}`}
}

/** The root suite carries the skip lines to the reporter (test/reporter.cjs), which prints them after the totals. */
type RootSuite = Mocha.Suite & {prerequisiteSkips?: Set<string>}

/**
 * Call with the `this` of a `before` hook or an `it`: returns when the suite can run, skips it (telling the
 * reporter why) when it cannot outside CI, and throws in CI.
 */
export function requirePrerequisites(context: Mocha.Context, name: SuiteName, host: Host = HOST): void {
  const decision = decide(name, host)
  if (decision.run) return
  if (decision.fails) throw new Error(decision.line)
  let suite = context.test?.parent
  while (suite?.parent) suite = suite.parent
  const root = suite as RootSuite
  root.prerequisiteSkips = (root.prerequisiteSkips ?? new Set()).add(decision.line)
  context.skip()
}
