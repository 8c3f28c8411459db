// A check of an opened Image against its own claims, in the spirit of go-containerregistry's validate.Image: every
// layer's blob, decompressed and parsed by readers independent of production (zlib, zstd-napi, node-tar's Parser),
// must hash to its diff_id and hold exactly the entries the image says it parsed.
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {gunzipSync} from 'node:zlib'

import {Parser} from 'tar'
import {decompress as zstdDecompress} from 'zstd-napi'

import type {Image} from '../../src/image/image.js'

/** An entry as node-tar reads it: [path without ./ or trailing /, type, size]. */
type Listed = [string, string, number]

async function readBlob(blob: NonNullable<Image['layers'][number]['blob']>): Promise<Buffer> {
  const {reader, size} = await blob()
  const chunks: Buffer[] = []
  for await (const chunk of reader.chunks()) chunks.push(chunk)
  const data = Buffer.concat(chunks)
  assert.equal(data.length, size, 'blob size')
  if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data)
  if (data.length >= 4 && data.readUInt32LE(0) === 0xfd2fb528) return zstdDecompress(data)
  return data
}

function listTar(tar: Buffer): Promise<Listed[]> {
  return new Promise((resolve, reject) => {
    const listed: Listed[] = []
    const parser = new Parser({
      onReadEntry: (entry) => {
        const path = entry.path.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')
        if (path !== '') listed.push([path, entry.type, entry.type === 'File' ? (entry.size ?? 0) : 0])
        entry.resume()
      },
    })
    parser.on('end', () => resolve(listed))
    parser.on('error', reject)
    parser.end(tar)
  })
}

const KIND = {
  file: 'File',
  hardlink: 'Link',
  symlink: 'SymbolicLink',
  char: 'CharacterDevice',
  block: 'BlockDevice',
  dir: 'Directory',
  fifo: 'FIFO',
}

/** What the image says each layer holds, in node-tar's terms, whiteouts and opaque markers as tar entries. */
function claimed(layer: Image['layers'][number]): Listed[] {
  const {entries, whiteouts, opaques} = layer.contents
  return [
    ...entries.map((e): Listed => [e.path, KIND[e.kind], e.size]),
    ...whiteouts.map((p): Listed => [p.replace(/([^/]+)$/, '.wh.$1'), 'File', 0]),
    ...opaques.map((p): Listed => [p === '' ? '.wh..wh..opq' : `${p}/.wh..wh..opq`, 'File', 0]),
  ]
}

const sorted = (listed: Listed[]) => [...listed].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))

/** Fails unless the image is consistent with itself; `blobs` asks that every layer has its blob. */
export async function validateImage(image: Image, {blobs}: {blobs: boolean}): Promise<void> {
  const diffIds = image.config.rootfs?.diff_ids
  for (const [index, layer] of image.layers.entries()) {
    assert.equal(layer.index, index, 'layer index')
    if (diffIds) assert.equal(layer.diffId, diffIds[index], `layer ${index} diff_id is the config's`)
    const files = layer.contents.entries.filter((e) => e.kind === 'file')
    assert.equal(
      layer.contents.bytes,
      files.reduce((sum, e) => sum + e.size, 0),
      `layer ${index} bytes`,
    )
    assert.equal(layer.blob !== undefined, blobs, `layer ${index} has a blob: ${!blobs}`)
    if (!layer.blob) continue
    const tar = await readBlob(layer.blob)
    assert.equal(`sha256:${createHash('sha256').update(tar).digest('hex')}`, layer.diffId, `layer ${index} diff_id`)
    assert.deepEqual(sorted(await listTar(tar)), sorted(claimed(layer)), `layer ${index} entries`)
  }
}
