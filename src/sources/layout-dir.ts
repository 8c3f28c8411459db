import {createHash} from 'node:crypto'
import {type FileHandle, readdir, readFile, realpath, stat} from 'node:fs/promises'
import {join, relative, sep} from 'node:path'

import {InputError} from '../errors.js'
import type {LayerContents} from '../model/entry.js'
import {type ByteReader, FileRangeReader, openFile, StreamReader} from '../tar/byte-reader.js'
import type {Image} from '../image/image.js'
import {imageFromStore} from './image-from-store.js'
import type {Selection} from './manifest.js'
import {type LayerReadOptions, readLayer} from './read-layer.js'
import type {ImageStore} from './store.js'

/** The digest that names a content-addressed blob (`blobs/sha256/HEX`), or undefined for any other file. */
function namedDigest(path: string): string | undefined {
  const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path)
  return m ? `sha256:${m[1]}` : undefined
}

/**
 * An OCI image layout directory, a `dir:` copy, an unpacked docker save, or containerd's content store (its
 * `blobs/` directory is a layout's). Blobs are read in place. With `digests`, a blob named by its sha256 is checked
 * against it as it is read (every byte passes through the hash, skipped ones too), and a mismatch is an error once
 * its last byte is read: a blob changed on disk is never read as the image.
 */
export class LayoutDir implements ImageStore {
  readonly directory = true
  private files = new Set<string>()
  private readonly open: FileHandle[] = []

  constructor(
    readonly name: string,
    private readonly root: string,
    private readonly digests = false,
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

  /** A blob whose bytes do not hash to its name; `where` names what was read. */
  private changed(path: string, where: string): InputError {
    return new InputError(`${where}: ${join(this.root, path)} does not match its digest: it changed on disk`)
  }

  /**
   * The `size` bytes of a file, checked against the digest that names it when `digests` is on: before its last
   * chunk is handed on, so that a decompressor never reports a changed blob as corrupt data.
   */
  private checked(path: string, reader: ByteReader, size: number, where = this.name): ByteReader {
    const digest = this.digests ? namedDigest(path) : undefined
    if (!digest) return reader
    const changed = () => this.changed(path, where)
    return new StreamReader(
      (async function* () {
        const hash = createHash('sha256')
        let seen = 0
        let done = false
        const check = () => {
          done = true
          if (`sha256:${hash.digest('hex')}` !== digest) throw changed()
        }
        for await (const chunk of reader.chunks()) {
          hash.update(chunk)
          seen += chunk.length
          if (seen === size) check()
          yield chunk
        }
        if (!done) check()
      })(),
    )
  }

  async blob(path: string): Promise<{reader: ByteReader; size: number}> {
    const {file, size} = await openFile(await this.inside(path))
    this.open.push(file)
    return {reader: this.checked(path, new FileRangeReader(file, 0, size), size), size}
  }

  /** Closes the files `blob` opened. */
  async close(): Promise<void> {
    await Promise.all(this.open.splice(0).map((file) => file.close()))
  }

  async readText(path: string): Promise<string> {
    const full = await this.inside(path)
    if ((await stat(full)).size > 64 << 20)
      throw new InputError(`${this.name}: ${path} is too large for a metadata file`)
    const bytes = await readFile(full)
    const digest = this.digests ? namedDigest(path) : undefined
    if (digest && `sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest)
      throw this.changed(path, this.name)
    return bytes.toString('utf8')
  }

  async layer(path: string, where: string, {progress, hash}: LayerReadOptions): Promise<LayerContents> {
    const {file, size} = await openFile(await this.inside(path))
    try {
      const reader = this.checked(path, new FileRangeReader(file, 0, size), size, where)
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
