// The engine as the judge nobody here wrote: random layer stacks are loaded into the private dockerd, a
// container made from each is exported, and the export, read by node-tar and applied by the reference
// model, must equal the model's final filesystem, analyze's figures, and what flatten writes once that is
// loaded back. ENGINE_STACKS sizes a run (CI runs a few; `npm run fuzz:engine` runs many), GENERATIVE_SEED
// replays one.
import assert from 'node:assert/strict'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'

import {analyzeImage} from '../../src/analysis/analyze.js'
import {type FinalEntry, finalSnapshot} from '../../src/analysis/final-fs.js'
import type {Image} from '../../src/image/image.js'
import {openImage} from '../../src/sources/open.js'
import {runCli} from '../helpers/cli.js'
import {legacySave} from '../helpers/images.js'
import {
  compareFilesystems,
  type Filesystem,
  exportEntries,
  filesystem,
  readImageArchive,
} from '../helpers/independent-reader.js'
import {requirePrerequisites} from '../helpers/prerequisites.js'
import {type GeneratedStack, runSeed, type StackEntry, stackArbitrary, stackOf} from '../helpers/random-stacks.js'
import {reference} from '../generative/reference.js'
import {type PrivateEngine, startDockerd} from './dockerd.js'

const STACKS = Number(process.env.ENGINE_STACKS ?? 12)

/** The image of an archive, every layer read (the archive's file handle is released). */
async function readArchive(path: string, hash: boolean): Promise<Image> {
  const image = await openImage(path, {hash})
  await image.close()
  return image
}

/**
 * What the engine adds to every container, which no image holds: left out of every comparison (the
 * generator never writes these names, so nothing of the image is left out with them).
 */
const RUNTIME_PLACEHOLDERS: Record<string, string> = {
  '.dockerenv': 'the marker file docker creates in every container',
  'etc/hostname': 'a mount point for the file the engine bind-mounts',
  'etc/hosts': 'a mount point for the file the engine bind-mounts',
  'etc/resolv.conf': 'a mount point for the file the engine bind-mounts',
  'etc/mtab': "the init layer's symlink to /proc/mounts",
  etc: 'the directory the engine creates for the four above',
  dev: 'the mount point of the runtime /dev (with dev/console, dev/pts and dev/shm under it)',
  proc: 'the mount point of /proc',
  sys: 'the mount point of /sys',
}
const isPlaceholder = (path: string) =>
  path in RUNTIME_PLACEHOLDERS || ['dev', 'proc', 'sys'].some((dir) => path.startsWith(`${dir}/`))

/**
 * Directories docker's overlay2 re-creates, with the mode the engine shows for each: when the top-most layer
 * that has anything at or under a directory has no entry for the directory itself, the engine makes it
 * (MkdirAll, owner 0:0, mode 0755, plus the setgid bit the kernel gives a directory made in a setgid one) in
 * that layer's own diff directory, and the merged view shows that copy. containerd, docker's vfs driver and
 * the model keep the lower directory's metadata: a documented difference (docs/metrics.md). For these the
 * engine must show that mode and 0:0, and the model's metadata is not compared.
 */
function recreatedDirectories(layers: StackEntry[][]): Map<string, string> {
  const last = new Map<string, string | undefined>() // undefined: the top-most touching layer listed it
  for (const entries of layers) {
    const onDisk = new Map<string, boolean>() // the layer's diff directory: directory -> setgid
    const made = new Map<string, string>()
    const listed = new Set<string>()
    const drop = (path: string) => {
      for (const dir of [...onDisk.keys()])
        if (dir === path || dir.startsWith(`${path}/`)) {
          onDisk.delete(dir)
          made.delete(dir)
          listed.delete(dir)
        }
    }
    for (const e of entries) {
      if (e.kind === 'root' || (e.kind === 'opaque' && e.path === '')) continue
      // the engine makes the parents of every member first (an opaque marker's parent is its directory)
      const parts = e.path.split('/')
      const parents = e.kind === 'opaque' ? parts.length : parts.length - 1
      for (let depth = 1; depth <= parents; depth++) {
        const dir = parts.slice(0, depth).join('/')
        if (onDisk.has(dir)) continue
        const setgid = depth > 1 && onDisk.get(parts.slice(0, depth - 1).join('/')) === true
        onDisk.set(dir, setgid)
        made.set(dir, setgid ? '2755' : '0755')
      }
      if (e.kind === 'dir') {
        onDisk.set(e.path, (e.meta.mode & 0o2000) !== 0)
        listed.add(e.path)
      } else if (e.kind !== 'opaque') drop(e.path) // a file, a link, a device or a whiteout's device replaces it
    }
    for (const dir of new Set([...made.keys(), ...listed])) last.set(dir, listed.has(dir) ? undefined : made.get(dir))
  }
  return new Map([...last].filter((pair): pair is [string, string] => pair[1] !== undefined))
}

/**
 * A layer that whites out a directory and then writes it again or marks it opaque: overlay2 makes the whiteout
 * a device, then replaces it with a directory that is not opaque (the lower children show again), or sets the
 * opaque mark on the device (the path stays deleted). The OCI rules (and the model, and docker's vfs driver
 * for the first) give an empty directory: a documented difference; such stacks are counted, not compared.
 */
function remakesWhitedOutDirectory(layers: StackEntry[][]): boolean {
  return layers.some((entries) =>
    entries.some(
      (e, at) =>
        e.kind === 'whiteout' &&
        entries.slice(at + 1).some((d) => (d.kind === 'dir' || d.kind === 'opaque') && d.path === e.path),
    ),
  )
}

/**
 * A layer that writes beneath a symlink it wrote itself: the engine resolves the path through the symlink
 * (the entry lands where the link points); the model treats a symlink in the way as any non-directory and
 * replaces it with an implied directory: a documented difference; such stacks are counted, not compared.
 */
function writesBeneathOwnSymlink(layers: StackEntry[][]): boolean {
  return layers.some((entries) =>
    entries.some(
      (e, at) => e.kind === 'symlink' && entries.slice(at + 1).some((below) => below.path.startsWith(`${e.path}/`)),
    ),
  )
}

/**
 * An opaque marker of `/`: overlayfs takes no opaque mark on a layer's root, so the lower files stay; the model
 * hides them all: a documented difference; such stacks are counted, not compared.
 */
function marksRootOpaque(layers: StackEntry[][]): boolean {
  return layers.some((entries) => entries.some((e) => e.kind === 'opaque' && e.path === ''))
}

/** The model's final filesystem (through the library) in the comparable form: no device numbers, no sharing. */
function modelFilesystem(entries: Map<string, FinalEntry>): Filesystem {
  return {entries: new Map([...entries].sort(([a], [b]) => (a < b ? -1 : 1))), links: new Map()}
}

/** What of a filesystem the model's final filesystem holds too. */
function withoutDevicesAndSharing(fs: Filesystem): Filesystem {
  return {entries: new Map([...fs.entries].map(([path, {device: _device, ...e}]) => [path, e])), links: new Map()}
}

/** Fits what the engine cannot show: symlink modes (Linux has none) and the directories overlay2 re-creates. */
function asTheEngineShows(fs: Filesystem, recreated: Map<string, string>): Filesystem {
  const entries = new Map(
    [...fs.entries].map(([path, e]) => {
      if (e.type === 'symlink') return [path, {...e, mode: '0777'}]
      const mode = recreated.get(path)
      if (mode && e.type === 'dir') return [path, {...e, mode, uid: 0, gid: 0}]
      return [path, e]
    }),
  )
  entries.delete('') // the engine applies no root entry and exports none
  return {entries, links: fs.links}
}

describe('engine as judge: random layer stacks applied by the real engine, compared with the model', function () {
  let engine: PrivateEngine

  before(async function () {
    requirePrerequisites(this, 'engine')
    this.timeout(300_000)
    engine = await startDockerd()
  })

  after(async () => {
    await engine?.stop()
  })

  /** Loads an archive; the engine's message when it refuses. */
  async function load(archive: string): Promise<string | undefined> {
    const loaded = await engine.docker(['load', '-q', '-i', archive])
    return loaded.code === 0 ? undefined : loaded.stderr.trim()
  }

  /** A container of the image, exported and read back independently, without the runtime placeholders. */
  async function exported(
    tag: string,
    name: string,
  ): Promise<{fs: Filesystem; finalBytes: number; finalFiles: number}> {
    const created = await engine.docker(['create', '--name', name, tag])
    assert.equal(created.code, 0, created.stderr)
    const file = join(engine.dir, `${name}.tar`)
    try {
      const export_ = await engine.docker(['export', '-o', file, name])
      assert.equal(export_.code, 0, export_.stderr)
      const applied = reference([exportEntries(file, isPlaceholder)], {hashed: true})
      return {fs: filesystem(applied.final), finalBytes: applied.finalBytes, finalFiles: applied.finalFiles}
    } finally {
      rmSync(file, {force: true})
      await engine.docker(['rm', name])
    }
  }

  /** Judges one stack; returns what happened to it. */
  async function judge(
    stack: GeneratedStack,
    id: number,
    from: number,
  ): Promise<'refused' | 'known difference' | 'equal'> {
    const layers = stack.layers.map((layer) => layer.entries)
    const tag = `judge/stack-${id}:1`
    const archive = join(engine.dir, `stack-${id}.tar`)
    writeFileSync(archive, legacySave([{tag, layers: stack.layers.map((layer) => ({tar: layer.tar}))}]))
    const cleanup = [archive]
    try {
      const refused = await load(archive)
      if (refused) return 'refused'
      if (remakesWhitedOutDirectory(layers) || writesBeneathOwnSymlink(layers) || marksRootOpaque(layers))
        return 'known difference'
      const engineSaw = await exported(tag, `judge-${id}`)
      const source = reference(layers, {hashed: true})
      const image = await readArchive(archive, true)
      // (a) the model's final filesystem, through the library; device numbers and shared files by the reference
      const recreated = recreatedDirectories(layers)
      const model = modelFilesystem(finalSnapshot(image).entries)
      assert.deepEqual(
        compareFilesystems(asTheEngineShows(model, recreated), withoutDevicesAndSharing(engineSaw.fs)),
        [],
        'the model against the engine',
      )
      const expected = filesystem(source.final)
      assert.deepEqual(
        compareFilesystems(asTheEngineShows(expected, recreated), engineSaw.fs),
        [],
        'the reference (device numbers, shared files) against the engine',
      )
      // (b) analyze's figures
      const {summary} = analyzeImage(image, 0)
      assert.deepEqual(
        [summary.finalFiles, summary.finalBytes],
        [engineSaw.finalFiles, engineSaw.finalBytes],
        "analyze's finalFiles and finalBytes against the engine",
      )
      // (c) flatten -t (from 0) or flatten -t --from N, loaded back by the engine and exported again
      const flatTag = `judge/flat-${id}:1`
      const flags = from > 0 ? ['--from', String(from)] : []
      const flat = await runCli(['flatten', archive, '-t', flatTag, ...flags, '-q'], {env: engine.env})
      assert.equal(flat.code, 0, `flatten -t ${flags.join(' ')}: ${flat.stderr}`)
      let flatRecreated = new Map<string, string>() // the squashed layer writes every directory it holds
      if (from > 0) {
        // the base layers are the source's: which directories overlay2 re-creates depends on them, as -o writes them
        const written = join(engine.dir, `flat-${id}.tar`)
        cleanup.push(written)
        const out = await runCli(['flatten', archive, '-o', written, ...flags, '-q'])
        assert.equal(out.code, 0, out.stderr)
        flatRecreated = recreatedDirectories((await readImageArchive(readFileSync(written))).layers)
      }
      const again = await exported(flatTag, `judge-flat-${id}`)
      await engine.docker(['rmi', flatTag])
      assert.deepEqual(
        compareFilesystems(asTheEngineShows(expected, flatRecreated), again.fs),
        [],
        `flatten ${flags.join(' ')} loaded back, against the source's final filesystem`,
      )
      return 'equal'
    } finally {
      for (const file of cleanup) rmSync(file, {force: true})
      await engine.docker(['rmi', tag])
    }
  }

  const meta = (mode = 0o644, uid = 0, gid = 0) => ({mode, uid, gid, uname: '', gname: '', mtime: 1_700_000_000})
  const file = (path: string, text: string, m = meta()): StackEntry => ({
    kind: 'file',
    path,
    meta: m,
    content: Buffer.from(text),
  })
  const dir = (path: string, m = meta(0o755)): StackEntry => ({kind: 'dir', path, meta: m})
  const plain = {format: 'docker-archive', compression: 'none', others: 0} as const
  let fixed = 1000

  it("issue 21's shape: a whiteout and an opaque marker imply their directories, as in the engine", async function () {
    this.timeout(300_000)
    const stack = stackOf(
      [
        [file('c/a/a', 'x')],
        [
          {kind: 'whiteout', path: 'X/a/ü', meta: meta()},
          {kind: 'opaque', path: 'Y', meta: meta()},
        ],
      ],
      plain,
    )
    assert.equal(await judge(stack, fixed++, 0), 'equal')
    assert.equal(await judge(stack, fixed++, 1), 'equal')
  })

  it('a char device 0:0 deletes its path in the engine as in the model; a 1:3 device stays a device', async function () {
    this.timeout(300_000)
    const char = (path: string, device: [number, number]): StackEntry => ({
      kind: 'char',
      path,
      meta: meta(0o620, 0, 5),
      device,
    })
    const stack = stackOf(
      [
        [file('e/f', 'ef'), file('g/h', 'gh'), char('dev-null', [1, 3])],
        [char('e/f', [0, 0]), char('g', [0, 0]), char('k/l', [0, 0])],
      ],
      plain,
    )
    assert.equal(await judge(stack, fixed++, 0), 'equal')
    assert.equal(await judge(stack, fixed++, 1), 'equal')
  })

  it('a hardlink header sets the mode and owner of every name of the file, in the engine as in the model', async function () {
    this.timeout(300_000)
    const stack = stackOf(
      [[file('a', 'x', meta(0o6711)), {kind: 'hardlink', path: 'b', target: 'a', meta: meta(0o644, 0, 1)}]],
      plain,
    )
    assert.equal(await judge(stack, fixed++, 0), 'equal')
  })

  it('flatten --from of a directory deleted and made again loads without its old children', async function () {
    this.timeout(300_000)
    const stack = stackOf(
      [
        [dir('a'), dir('a/a', meta(0o1777)), file('a/a/b', 'old')],
        [{kind: 'whiteout', path: 'a/a', meta: meta()}],
        [file('a/a/c', 'new')],
      ],
      plain,
    )
    assert.equal(await judge(stack, fixed++, 1), 'equal')
  })

  it("documented differences of docker's overlay2, each with its exact shape", async function () {
    this.timeout(600_000)
    const shapes: Record<string, StackEntry[][]> = {
      // a layer writes under a lower directory without listing it: overlay2 shows a 0755 0:0 copy
      recreated: [[dir('d', meta(0o700, 5, 6)), file('d/a', 'a')], [file('d/b', 'b')]],
      // a directory overlay2 makes inside a setgid directory gets the setgid bit from the kernel
      setgid: [[dir('d', meta(0o2775, 1, 2)), file('d/h/x', 'x')]],
      // a layer whites out a directory and writes it again: overlay2 shows its old children
      merged: [[file('d/old', 'old')], [{kind: 'whiteout', path: 'd', meta: meta()}, dir('d'), file('d/new', 'new')]],
      // a layer whites out a directory and marks it opaque: overlay2 leaves it deleted
      marked: [
        [file('d/old', 'old')],
        [
          {kind: 'whiteout', path: 'd', meta: meta()},
          {kind: 'opaque', path: 'd', meta: meta()},
        ],
      ],
      // a layer writes beneath a symlink it wrote: the engine follows the link
      followed: [[{kind: 'symlink', path: 'd', target: 'e', meta: meta()}, dir('e'), file('d/x', 'x')]],
      // an opaque marker of /: overlayfs takes no mark on a layer's root
      root: [[file('d', 'old')], [{kind: 'opaque', path: '', meta: meta()}, file('new', 'new')]],
    }
    const seen: Record<string, [string[], string[]]> = {}
    for (const [name, layers] of Object.entries(shapes)) {
      const stack = stackOf(layers, plain)
      const id = fixed++
      const tag = `judge/stack-${id}:1`
      const archive = join(engine.dir, `stack-${id}.tar`)
      writeFileSync(archive, legacySave([{tag, layers: stack.layers.map((layer) => ({tar: layer.tar}))}]))
      assert.equal(await load(archive), undefined)
      const show = (entries: Map<string, {type: string; mode: string; uid: number; gid: number}>) =>
        [...entries]
          .filter(([p, e]) => e.type !== 'symlink' || p === 'd')
          .map(([p, e]) => `${p} ${e.type}${e.type === 'symlink' ? '' : ` ${e.mode} ${e.uid}:${e.gid}`}`)
          .sort()
      seen[name] = [
        show((await exported(tag, `judge-${id}`)).fs.entries),
        show(finalSnapshot(await readArchive(archive, false)).entries),
      ]
      rmSync(archive)
      await engine.docker(['rmi', tag])
    }
    // [what the engine shows, what the model shows]
    assert.deepEqual(seen, {
      recreated: [
        ['d dir 0755 0:0', 'd/a file 0644 0:0', 'd/b file 0644 0:0'],
        ['d dir 0700 5:6', 'd/a file 0644 0:0', 'd/b file 0644 0:0'],
      ],
      setgid: [
        ['d dir 2775 1:2', 'd/h dir 2755 0:0', 'd/h/x file 0644 0:0'],
        ['d dir 2775 1:2', 'd/h dir 0755 0:0', 'd/h/x file 0644 0:0'],
      ],
      merged: [
        ['d dir 0755 0:0', 'd/new file 0644 0:0', 'd/old file 0644 0:0'],
        ['d dir 0755 0:0', 'd/new file 0644 0:0'],
      ],
      marked: [[], ['d dir 0755 0:0']],
      followed: [
        ['d symlink', 'e dir 0755 0:0', 'e/x file 0644 0:0'],
        ['d dir 0755 0:0', 'd/x file 0644 0:0', 'e dir 0755 0:0'],
      ],
      root: [['d file 0644 0:0', 'new file 0644 0:0'], ['new file 0644 0:0']],
    })
    // and the test's rules recognize each shape
    const rules = Object.values(shapes).map((layers) => [
      [...recreatedDirectories(layers)],
      remakesWhitedOutDirectory(layers),
      writesBeneathOwnSymlink(layers),
      marksRootOpaque(layers),
    ])
    assert.deepEqual(rules, [
      [[['d', '0755']], false, false, false],
      [[['d/h', '2755']], false, false, false],
      [[], true, false, false],
      [[['d', '0755']], true, false, false],
      [[['d', '0755']], false, true, false],
      [[], false, false, true],
    ])
  })

  it(`${STACKS} random stacks: the export equals the model's final filesystem, analyze's figures and flatten's result`, async function () {
    this.timeout(STACKS * 120_000)
    const seed = runSeed('engine judge')
    const counts = {generated: 0, refused: 0, 'known difference': 0, equal: 0}
    await fc.assert(
      fc.asyncProperty(
        stackArbitrary({maxLayers: 4, maxEntries: 8, distinctNames: true}),
        fc.nat(),
        async (stack, fromSeed) => {
          const id = counts.generated++
          counts[await judge(stack, id, fromSeed % stack.layers.length)]++
        },
      ),
      {seed, numRuns: STACKS, endOnFailure: true},
    )
    console.log(
      `      engine judge: ${counts.generated} stacks generated, ${counts.generated - counts.refused} accepted by the engine, ` +
        `${counts.equal} equal, ${counts['known difference']} with a documented difference (not compared)`,
    )
    assert.ok(counts.equal > 0, 'no stack was compared')
  })
})
