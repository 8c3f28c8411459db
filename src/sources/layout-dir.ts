import {type FileHandle, readdir, readFile, realpath, stat} from 'node:fs/promises'
import {join, relative, sep} from 'node:path'

import {InputError} from '../errors.js'
import type {LayerContents} from '../model/entry.js'
import {type ByteReader, FileRangeReader, openFile} from '../tar/byte-reader.js'
import type {Image} from '../image/image.js'
import {imageFromStore} from './image-from-store.js'
import type {Selection} from './manifest.js'
import {type LayerReadOptions, readLayer} from './read-layer.js'
import type {ImageStore} from './store.js'

/** An OCI image layout directory, a `dir:` copy or an unpacked docker save. Blobs are read in place. */
class LayoutDir implements ImageStore {
  readonly directory = true
  private files = new Set<string>()
  private readonly open: FileHandle[] = []

  constructor(
    readonly name: string,
    private readonly root: string,
  ) {}

  async scan(dir = this.root): Promise<void> {
    for (const entry of await readdir(dir, {withFileTypes: true})) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) await this.scan(full)
      else this.files.add(relative(this.root, full).split(sep).join('/'))
    }
  }

  has(path: string): boolean {
    return this.files.has(path)
  }

  paths(): Iterable<string> {
    return this.files
  }

  /** The file's real path, refused when a symlink leads outside the layout. */
  private async inside(path: string): Promise<string> {
    const real = await realpath(join(this.root, path)).catch(() => {
      throw new InputError(`${this.name}: ${path} is missing or a dangling link`)
    })
    const root = await realpath(this.root)
    if (real !== root && !real.startsWith(root + sep))
      throw new InputError(`${this.name}: ${path} links outside the layout`)
    return real
  }

  async blob(path: string): Promise<{reader: ByteReader; size: number}> {
    const {file, size} = await openFile(await this.inside(path))
    this.open.push(file)
    return {reader: new FileRangeReader(file, 0, size), size}
  }

  /** Closes the files `blob` opened. */
  async close(): Promise<void> {
    await Promise.all(this.open.splice(0).map((file) => file.close()))
  }

  async readText(path: string): Promise<string> {
    const full = await this.inside(path)
    if ((await stat(full)).size > 64 << 20)
      throw new InputError(`${this.name}: ${path} is too large for a metadata file`)
    return readFile(full, 'utf8')
  }

  async layer(path: string, where: string, {progress, hash}: LayerReadOptions): Promise<LayerContents> {
    const {file, size} = await openFile(await this.inside(path))
    try {
      const reader = new FileRangeReader(file, 0, size)
      progress.follow(reader)
      const layer = await readLayer(reader, where, hash)
      progress.layerDone(size)
      return layer
    } finally {
      await file.close()
    }
  }
}

/** An image in a directory (OCI layout, `dir:` copy, unpacked docker save), its blobs read in place until `close`. */
export async function openLayoutDir(path: string, selection: Selection, reading: LayerReadOptions): Promise<Image> {
  const store = new LayoutDir(path, path)
  await store.scan()
  try {
    return await imageFromStore(store, selection, reading)
  } catch (error) {
    await store.close()
    throw error
  }
}
