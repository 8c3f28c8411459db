// Writes large docker-save archives for the benchmark, streaming to disk (nothing held in memory).
import {createHash} from 'node:crypto'
import {type FileHandle, open} from 'node:fs/promises'

import {END_OF_ARCHIVE, headerBlocks, type OutEntry, padding} from '../src/tar/encode.js'

export interface BenchFile {
  path: string
  size: number
  whiteout?: boolean
}

const CHUNK = Buffer.alloc(1 << 20, 0x61)

function entry(path: string, kind: OutEntry['kind'], size = 0): OutEntry {
  return {
    path,
    kind,
    size,
    mode: kind === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime: 1_700_000_000,
    linkpath: '',
    devmajor: 0,
    devminor: 0,
  }
}

function layerEntries(files: BenchFile[]): OutEntry[] {
  return files.map((f) =>
    entry(f.whiteout ? f.path.replace(/([^/]+)$/, '.wh.$1') : f.path, 'file', f.whiteout ? 0 : f.size),
  )
}

function tarSize(entries: OutEntry[]): number {
  let size = END_OF_ARCHIVE.length
  for (const e of entries) size += headerBlocks(e).length + e.size + padding(e.size).length
  return size
}

class Out {
  position = 0
  private pending: Buffer[] = []
  private pendingBytes = 0
  constructor(private readonly file: FileHandle) {}
  async write(chunk: Buffer, hash?: ReturnType<typeof createHash>): Promise<void> {
    hash?.update(chunk)
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    if (this.pendingBytes >= 4 << 20) await this.flush()
  }

  async flush(): Promise<void> {
    const data = Buffer.concat(this.pending)
    this.pending = []
    this.pendingBytes = 0
    await this.file.write(data, 0, data.length, this.position)
    this.position += data.length
  }
}

/** A legacy docker-save archive of the given layers; returns the layer member paths. */
export async function writeSaveArchive(path: string, layers: BenchFile[][]): Promise<string[]> {
  const file = await open(path, 'w')
  const out = new Out(file)
  const diffIds: string[] = []
  const members: string[] = []
  for (const [index, files] of layers.entries()) {
    const entries = layerEntries(files)
    const name = `layer${index}/layer.tar`
    members.push(name)
    await out.write(headerBlocks(entry(name, 'file', tarSize(entries))))
    const hash = createHash('sha256')
    for (const e of entries) {
      await out.write(headerBlocks(e), hash)
      for (let left = e.size; left > 0; left -= CHUNK.length)
        await out.write(CHUNK.subarray(0, Math.min(left, CHUNK.length)), hash)
      await out.write(padding(e.size), hash)
    }
    await out.write(END_OF_ARCHIVE, hash)
    diffIds.push(`sha256:${hash.digest('hex')}`)
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {Cmd: ['sh']},
      rootfs: {type: 'layers', diff_ids: diffIds},
      history: layers.map((_, i) => ({created_by: `layer ${i}`})),
    }),
  )
  const manifest = Buffer.from(JSON.stringify([{Config: 'config.json', RepoTags: ['bench:1'], Layers: members}]))
  for (const [name, data] of [
    ['config.json', config],
    ['manifest.json', manifest],
  ] as const) {
    await out.write(headerBlocks(entry(name, 'file', data.length)))
    await out.write(data)
    await out.write(padding(data.length))
  }
  await out.write(END_OF_ARCHIVE)
  await out.flush()
  await file.close()
  return members
}

/** ≥ 1 GiB, ≥ 100,000 files over 5 layers, with deletions, overwrites and a directory replaced. */
export function bigImage(): BenchFile[][] {
  const dir = (i: number) => `usr/lib/pkg${Math.floor(i / 500)}`
  const base = Array.from({length: 60_000}, (_, i) => ({path: `${dir(i)}/file${i}.so`, size: 8_000 + (i % 7) * 1000}))
  const app = Array.from({length: 30_000}, (_, i) => ({
    path: `app/node_modules/m${Math.floor(i / 300)}/f${i}.js`,
    size: 10_000,
  }))
  const cleanup = [
    ...Array.from({length: 10_000}, (_, i) => ({path: `${dir(i)}/file${i}.so`, size: 0, whiteout: true})),
    ...Array.from({length: 5_000}, (_, i) => ({path: `${dir(20_000 + i)}/file${20_000 + i}.so`, size: 4_000})),
  ]
  const data = Array.from({length: 20_000}, (_, i) => ({
    path: `var/data/d${Math.floor(i / 1000)}/x${i}.bin`,
    size: 10_000,
  }))
  const top = [
    ...Array.from({length: 5_000}, (_, i) => ({
      path: `app/node_modules/m${Math.floor(i / 300)}/f${i}.js`,
      size: 12_000,
    })),
    {path: 'var/data/d3', size: 0, whiteout: true},
  ]
  return [base, app, cleanup, data, top]
}

/** One layer of `count` small files, for the scale test. */
export function manySmallFiles(count: number): BenchFile[][] {
  return [
    Array.from({length: count}, (_, i) => ({
      path: `d${Math.floor(i / 1000)}/e${Math.floor(i / 100) % 10}/f${i}`,
      size: 100,
    })),
  ]
}
