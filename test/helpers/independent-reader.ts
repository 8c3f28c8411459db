// Reads tars and image archives with node-tar's Parser (and the engine's exports with GNU tar) and applies
// their layers with the reference model (test/generative/reference.ts), without a line of production's
// readers or model: the judge of what flatten writes and of what the engine exports.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {Parser, type ReadEntry} from 'tar'
import {decompress} from 'zstd-napi'

import {finalEntry, reference, type RefFinalEntry, type RefNode} from '../generative/reference.js'
import type {StackEntry} from './random-stacks.js'

/** One member of a tar as node-tar reads it (pax, GNU long names and global headers applied). */
export interface ReadMember {
  path: string
  type: string
  mode: number
  uid: number
  gid: number
  uname: string
  gname: string
  mtime: number
  linkpath: string
  devmajor: number
  devminor: number
  body: Buffer
}

/** Every member of a tar, in order. */
export async function readTar(tar: Buffer): Promise<ReadMember[]> {
  const members: ReadMember[] = []
  if (tar.every((byte) => byte === 0)) return members // an empty tar, which node-tar's Parser does not take
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = []
      entry.on('data', (chunk: Buffer) => chunks.push(chunk))
      entry.on('end', () =>
        members.push({
          path: entry.path,
          type: entry.type,
          mode: entry.mode ?? 0,
          uid: entry.uid ?? 0,
          gid: entry.gid ?? 0,
          uname: entry.uname ?? '',
          gname: entry.gname ?? '',
          mtime: entry.mtime ? entry.mtime.getTime() / 1000 : 0,
          linkpath: entry.linkpath ?? '',
          devmajor: entry.header.devmaj ?? 0,
          devminor: entry.header.devmin ?? 0,
          body: Buffer.concat(chunks),
        }),
      )
    },
  })
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject)
    parser.on('end', () => resolve())
    parser.end(tar)
  })
  return members
}

/** A tar path as the engine resolves it: `./`, `/`, `//`, `.` components and a trailing `/` dropped. */
export function normalize(raw: string): string {
  return raw
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/')
}

const KINDS: Record<string, StackEntry['kind']> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  FIFO: 'fifo',
}

/** A layer's members as entries the reference model applies: whiteouts and opaque markers by their names. */
export function layerEntries(members: ReadMember[]): StackEntry[] {
  const entries: StackEntry[] = []
  for (const m of members) {
    const kind = KINDS[m.type]
    if (!kind) continue // global headers and the like
    const path = normalize(m.path)
    const meta = {mode: m.mode, uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, mtime: m.mtime}
    const name = path.slice(path.lastIndexOf('/') + 1)
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
    if (name === '.wh..wh..opq') entries.push({kind: 'opaque', path: dir, meta})
    else if (name.startsWith('.wh.'))
      entries.push({kind: 'whiteout', path: dir === '' ? name.slice(4) : `${dir}/${name.slice(4)}`, meta})
    else if (path === '') entries.push({kind: 'root', path, meta})
    else if (kind === 'file') entries.push({kind, path, meta, content: m.body})
    else if (kind === 'hardlink') entries.push({kind, path, meta, target: normalize(m.linkpath)})
    else if (kind === 'symlink') entries.push({kind, path, meta, target: m.linkpath})
    else if (kind === 'char' || kind === 'block') entries.push({kind, path, meta, device: [m.devmajor, m.devminor]})
    else entries.push({kind, path, meta})
  }
  return entries
}

/**
 * A flat tar (`docker export`) extracted by GNU tar as root (owners, modes, devices and hardlinks kept) and
 * read back from the disk, as entries: node-tar's Parser refuses the symlinks Go writes with their target in
 * a pax record only. `skip` leaves out paths (and what is under them) before they are read.
 */
export function exportEntries(tar: string, skip: (path: string) => boolean = () => false): StackEntry[] {
  const dir = mkdtempSync(join(tmpdir(), 'dl-export-'))
  try {
    execFileSync('tar', ['-x', '-p', '--same-owner', '--numeric-owner', '-f', tar, '-C', dir])
    const entries: StackEntry[] = []
    const inodes = new Map<number, string>()
    const visit = (path: string) => {
      for (const name of readdirSync(join(dir, path)).sort()) {
        const at = path === '' ? name : `${path}/${name}`
        if (skip(at)) continue
        const stat = lstatSync(join(dir, at), {bigint: false})
        const meta = {mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, uname: '', gname: '', mtime: 0}
        const linked = stat.isDirectory() ? undefined : inodes.get(stat.ino)
        if (linked !== undefined) entries.push({kind: 'hardlink', path: at, meta, target: linked})
        else if (stat.isDirectory()) entries.push({kind: 'dir', path: at, meta})
        else if (stat.isSymbolicLink())
          entries.push({kind: 'symlink', path: at, meta, target: readlinkSync(join(dir, at))})
        else if (stat.isFile()) entries.push({kind: 'file', path: at, meta, content: readFileSync(join(dir, at))})
        else if (stat.isFIFO()) entries.push({kind: 'fifo', path: at, meta})
        else {
          const major = ((stat.rdev >> 8) & 0xfff) | (Math.floor(stat.rdev / 2 ** 32) & ~0xfff)
          const minor = (stat.rdev & 0xff) | ((stat.rdev >> 12) & ~0xff)
          entries.push({kind: stat.isBlockDevice() ? 'block' : 'char', path: at, meta, device: [major, minor]})
        }
        if (!stat.isDirectory() && linked === undefined && stat.nlink > 1) inodes.set(stat.ino, at)
        if (stat.isDirectory()) visit(at)
      }
    }
    visit('')
    return entries
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

function decompressed(blob: Buffer): Buffer {
  if (blob[0] === 0x1f && blob[1] === 0x8b) return gunzipSync(blob)
  if (blob.readUInt32LE(0) === 0xfd2fb528) return decompress(blob)
  return blob
}

/** An image of an archive, read independently. */
export interface ReadImage {
  config: any
  /** sha256 of each uncompressed layer tar. */
  diffIds: string[]
  layers: StackEntry[][]
}

/** A `docker save` (legacy or Docker 25) or OCI archive: the image tagged `tag`, else the first. */
export async function readImageArchive(archive: Buffer, tag?: string): Promise<ReadImage> {
  const files = new Map<string, Buffer>()
  for (const m of await readTar(archive))
    if (m.type === 'File' || m.type === 'OldFile') files.set(normalize(m.path), m.body)
  const file = (name: string) => {
    const data = files.get(normalize(name))
    if (!data) throw new Error(`the archive has no ${name}`)
    return data
  }
  const blob = (digest: string) => file(`blobs/${digest.replace(':', '/')}`)
  let configData: Buffer
  let layerBlobs: Buffer[]
  if (files.has('manifest.json')) {
    const manifest = JSON.parse(file('manifest.json').toString()) as Array<{
      Config: string
      RepoTags: string[] | null
      Layers: string[]
    }>
    const chosen = tag ? manifest.find((m) => m.RepoTags?.includes(tag)) : manifest[0]
    if (!chosen) throw new Error(`no image ${tag} in manifest.json`)
    configData = file(chosen.Config)
    layerBlobs = chosen.Layers.map(file)
  } else {
    let index = JSON.parse(file('index.json').toString())
    let descriptor = index.manifests[0]
    while (descriptor.mediaType.endsWith('image.index.v1+json')) {
      index = JSON.parse(blob(descriptor.digest).toString())
      descriptor = index.manifests[0]
    }
    const manifest = JSON.parse(blob(descriptor.digest).toString())
    configData = blob(manifest.config.digest)
    layerBlobs = manifest.layers.map((layer: {digest: string}) => blob(layer.digest))
  }
  const tars = layerBlobs.map(decompressed)
  return {
    config: JSON.parse(configData.toString()),
    diffIds: tars.map((tar) => `sha256:${createHash('sha256').update(tar).digest('hex')}`),
    layers: await Promise.all(tars.map(async (tar) => layerEntries(await readTar(tar)))),
  }
}

/**
 * A final filesystem as the tests compare it: each path (devices with their numbers), `/` itself as '', and
 * which paths share a file.
 */
export interface Filesystem {
  entries: Map<string, RefFinalEntry & {device?: string}>
  /** For each path that shares its content with others (hardlinks): all of them, sorted, joined by ' = '. */
  links: Map<string, string>
}

/** The final filesystem of layers, applied by the reference model. */
export function filesystemOf(layers: StackEntry[][]): Filesystem {
  const applied = reference(layers, {hashed: true})
  return filesystem(applied.final, applied.root)
}

/** The final filesystem of the image an archive file holds (`tag`, else its first), read independently. */
export async function archiveFilesystem(path: string, tag?: string): Promise<Filesystem> {
  return filesystemOf((await readImageArchive(readFileSync(path), tag)).layers)
}

/** The comparable form of a reference model's final filesystem. */
export function filesystem(final: Map<string, RefNode>, root?: StackEntry): Filesystem {
  const entries: Filesystem['entries'] = new Map()
  if (root) entries.set('', finalEntry({kind: 'dir', entry: root, layer: 0}, true))
  const names = new Map<unknown, string[]>()
  for (const [path, node] of [...final].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const device = node.kind === 'char' || node.kind === 'block' ? {device: node.entry!.device!.join(':')} : {}
    entries.set(path, {...finalEntry(node, true), ...device})
    if (node.content) names.set(node.content, [...(names.get(node.content) ?? []), path])
  }
  const links = new Map<string, string>()
  for (const group of names.values()) if (group.length > 1) for (const path of group) links.set(path, group.join(' = '))
  return {entries, links}
}

/** The differences between two filesystems, one readable line each (empty when equal). */
export function compareFilesystems(expected: Filesystem, actual: Filesystem): string[] {
  const problems: string[] = []
  const show = (e: RefFinalEntry) => JSON.stringify(e)
  for (const [path, want] of expected.entries) {
    const got = actual.entries.get(path)
    if (!got) problems.push(`/${path} is missing (expected ${show(want)})`)
    else if (show(got) !== show(want)) problems.push(`/${path}: ${show(got)}, expected ${show(want)}`)
  }
  for (const [path, got] of actual.entries)
    if (!expected.entries.has(path)) problems.push(`/${path} is extra: ${show(got)}`)
  for (const path of new Set([...expected.links.keys(), ...actual.links.keys()]))
    if (expected.links.get(path) !== actual.links.get(path))
      problems.push(
        `/${path} shares its file with ${actual.links.get(path) ?? 'nothing'}, expected ${expected.links.get(path) ?? 'nothing'}`,
      )
  return problems
}
