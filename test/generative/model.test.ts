import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {join} from 'node:path'

import fc from 'fast-check'

import {analyzeImage} from '../../src/analysis/analyze.js'
import {finalSnapshot} from '../../src/analysis/final-fs.js'
import {planFlatten} from '../../src/flatten/plan.js'
import {FileSink, writeFlattened} from '../../src/flatten/write.js'
import {openArchiveFile, readArchiveStream} from '../../src/sources/archive.js'
import {type Compression, type ImageSpec, legacySave, ociArchive, scratch} from '../helpers/images.js'
import type {Member} from '../helpers/tar.js'
import {referenceFigures} from './reference.js'

const RUNS = Number(process.env.GENERATIVE_RUNS ?? 3000)
const FLATTEN_RUNS = Number(process.env.GENERATIVE_FLATTEN_RUNS ?? 500)

const NAMES = ['a', 'b', 'ü', 'L'.repeat(110)]
const path = fc.array(fc.constantFrom(...NAMES), {minLength: 1, maxLength: 3}).map((parts) => parts.join('/'))

const member: fc.Arbitrary<Member> = fc.oneof(
  {
    arbitrary: fc
      .record({path, size: fc.nat({max: 40}), mtime: fc.constantFrom(1000, 2000)})
      .map(({path: p, size, mtime}) => ({path: p, content: 'x'.repeat(size), mtime})),
    weight: 5,
  },
  {arbitrary: path.map((p) => ({path: `${p}/`, type: 'dir' as const})), weight: 2},
  {
    arbitrary: fc
      .tuple(path, fc.constantFrom('a', '/abs/target', '../up'))
      .map(([p, target]) => ({path: p, type: 'symlink' as const, linkpath: target})),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(path, path).map(([p, target]) => ({path: p, type: 'hardlink' as const, linkpath: target})),
    weight: 1,
  },
  {arbitrary: path.map((p) => ({path: p.replace(/([^/]+)$/, '.wh.$1')})), weight: 2},
  {arbitrary: path.map((p) => ({path: `${p}/.wh..wh..opq`})), weight: 1},
)

const stack = fc.array(fc.array(member, {maxLength: 8}), {minLength: 1, maxLength: 5})
const packaging = fc.record({oci: fc.boolean(), compression: fc.constantFrom<Compression>('none', 'gzip', 'zstd')})

function archiveOf(layers: Member[][], how: {oci: boolean; compression: Compression}): Buffer {
  const spec: ImageSpec = {tag: 'gen:1', layers: layers.map((members) => ({members}))}
  return how.oci
    ? ociArchive([spec], {compression: how.compression, dockerManifest: false})
    : legacySave([spec], {compression: how.compression === 'zstd' ? 'gzip' : how.compression})
}

describe('generative: random layer stacks against a simple reference model', function () {
  this.timeout(600_000)
  const tmp = scratch()
  after(() => tmp.remove())

  it(`analyze equals the reference on ${RUNS} random stacks (legacy and OCI archives; plain, gzip, zstd)`, async () => {
    await fc.assert(
      fc.asyncProperty(stack, packaging, async (layers, how) => {
        const image = await readArchiveStream([archiveOf(layers, how)], 'generated', {})
        const report = analyzeImage(image, 0)
        const reference = referenceFigures(layers)
        assert.deepEqual(
          report.layers.map((l) => ({
            bytes: l.bytes,
            added: l.added,
            modified: l.modified,
            removed: l.removed,
            removedBytes: l.removedBytes,
            wastedBytes: l.wastedBytes,
          })),
          reference.layers,
        )
        assert.deepEqual(
          [report.summary.totalBytes, report.summary.finalBytes, report.summary.finalFiles],
          [reference.totalBytes, reference.finalBytes, reference.finalFiles],
        )
      }),
      {numRuns: RUNS},
    )
  })

  it(`flatten -o, read back, equals the reference final filesystem; so does --from (${FLATTEN_RUNS} stacks)`, async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(stack, packaging, fc.nat(), async (layers, how, fromSeed) => {
        const source = join(tmp.dir, `source-${run}.tar`)
        const output = join(tmp.dir, `flat-${run++}.tar`)
        const file = await open(source, 'w')
        await file.writeFile(archiveOf(layers, how))
        await file.close()
        const opened = await openArchiveFile(source, {})
        const from = layers.length > 1 ? fromSeed % layers.length : 0
        try {
          const out = await open(output, 'w')
          const sink = new FileSink(out)
          await writeFlattened(sink, opened, planFlatten(opened, from), {
            format: how.oci ? 'oci-archive' : 'docker-archive',
            compression: how.compression === 'none' ? 'uncompressed' : how.compression,
            sourceName: 'generated',
            base: from,
          })
          await sink.end()
          await out.close()
        } finally {
          await opened.close()
        }
        const written = await openArchiveFile(output, {})
        await written.close()
        assert.equal(written.layers.length, from + 1)
        const got = finalSnapshot(written).entries
        const reference = referenceFigures(layers)
        const want = new Map<string, string>()
        for (const [p, n] of reference.final) {
          if (n.kind === 'hardlink')
            want.set(p, n.content === undefined ? 'file 0' : `file ${reference.contentSize.get(n.content)}`)
          else want.set(p, `${n.kind} ${n.kind === 'file' ? n.size : 0}`)
        }
        // a contentless hardlink is written as an empty file and reads back as one
        const have = new Map(
          [...got].map(([p, e]) => [
            p,
            e.type === 'hardlink' ? 'file 0' : `${e.type} ${e.type === 'file' ? e.size : 0}`,
          ]),
        )
        assert.deepEqual(new Map([...have].sort()), new Map([...want].sort()))
        rmSync(source)
        rmSync(output)
      }),
      {numRuns: FLATTEN_RUNS},
    )
  })
})
