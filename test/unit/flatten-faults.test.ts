// What flatten does when what it wrote, or what it reads, is not what it expected: --verify naming the
// differences, and a source layer that changed between the read that planned the output and the copy.
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {gzipSync} from 'node:zlib'

import {flatten} from '../../src/flatten/flatten.js'
import {Cleanup, interruptible} from '../../src/flatten/interrupt.js'
import {planFlatten} from '../../src/flatten/plan.js'
import {verifyFlattened} from '../../src/flatten/verify.js'
import {squashedTar} from '../../src/flatten/write.js'
import type {Image} from '../../src/image/image.js'
import {StreamReader} from '../../src/tar/byte-reader.js'
import {scratch} from '../helpers/images.js'
import {imageOf} from '../helpers/model.js'
import {type Member, tarOf} from '../helpers/tar.js'

/** An image whose layer 0 is parsed from `parsed` but whose stored blob (what flatten copies from) is `stored`. */
async function imageReading(parsed: Member[], stored: Buffer): Promise<Image> {
  const image = await imageOf([{members: parsed}])
  return {
    ...image,
    layers: image.layers.map((layer) => ({
      ...layer,
      blob: async () => ({reader: new StreamReader([stored]), size: stored.length}),
    })),
  }
}

async function drain(chunks: AsyncIterable<Buffer>): Promise<number> {
  let bytes = 0
  for await (const chunk of chunks) bytes += chunk.length
  return bytes
}

describe('flatten faults', () => {
  it('--verify names each difference: a changed file, a missing path, an extra one', async () => {
    const source = await imageOf([
      {
        members: [
          {path: 'a', content: 'abc', mode: 0o644},
          {path: 'b/', type: 'dir'},
          {path: 'l', type: 'symlink', linkpath: 'a'},
        ],
      },
    ])
    const written = await imageOf([
      {
        members: [
          {path: 'a', content: 'abcd', mode: 0o600, uid: 7},
          {path: 'l', type: 'symlink', linkpath: 'b'},
          {path: 'c', content: ''},
        ],
      },
    ])
    assert.throws(() => verifyFlattened(source, written), {
      name: 'InputError',
      message:
        "--verify: the written image differs from the source's final filesystem: " +
        '/a: file 4B 0600 7:0, expected file 3B 0644 0:0; /b is missing; ' +
        '/l: symlink 0B 0644 0:0 -> b, expected symlink 0B 0644 0:0 -> a; /c is extra',
    })
    assert.equal(verifyFlattened(source, source), 3)
  })

  it('a compressed layer that no longer holds the entries it was read with: "the layer changed since it was read"', async () => {
    const members: Member[] = [{path: 'a', content: 'abc'}]
    // another member where a's content was planned (a file, a directory); a's content moved by a pax header, so
    // that no member at all starts where it was planned
    for (const stored of [
      [{path: 'new', content: 'x'}, ...members],
      [{path: 'd/', type: 'dir' as const}, ...members],
      [{...members[0], xattrs: {'user.note': 'moved'}}],
    ]) {
      const image = await imageReading(members, gzipSync(tarOf(stored)))
      await assert.rejects(drain(squashedTar(planFlatten(image, 0), image)), {
        name: 'InputError',
        message: 'generated: layer 0: the layer changed since it was read',
      })
    }
  })

  it('a plain layer cut short inside a content it copies', async () => {
    const members: Member[] = [{path: 'a', content: 'x'.repeat(3000)}]
    const stored = tarOf(members).subarray(0, 512 + 1000)
    const image = await imageReading(members, stored)
    await assert.rejects(drain(squashedTar(planFlatten(image, 0), image)), {
      name: 'InputError',
      message: 'generated: layer 0: truncated tar (inside the content of /a)',
    })
  })

  it('a failed -o write leaves neither the output nor its temporary file', async () => {
    const out = scratch('dl-faults-')
    try {
      const members: Member[] = [{path: 'a', content: 'abc'}]
      const image = await imageReading(members, gzipSync(tarOf([{path: 'new', content: 'x'}, ...members])))
      const cleanup = new Cleanup()
      await assert.rejects(
        interruptible(
          () =>
            flatten(
              image,
              {
                target: {file: `${out.dir}/flat.tar`, format: 'docker-archive', compression: 'uncompressed'},
                sourceName: 'generated',
                open: () => Promise.reject(new Error('no other image')),
              },
              cleanup,
            ),
          cleanup,
        ),
        {name: 'InputError', message: 'generated: layer 0: the layer changed since it was read'},
      )
      assert.deepEqual(readdirSync(out.dir), [])
    } finally {
      out.remove()
    }
  })
})
