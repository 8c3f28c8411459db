import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'

import {runCli} from '../helpers/cli.js'
import {buildImage, type ImageSpec, legacySave, ociArchive, scratch} from '../helpers/images.js'
import {tarOf} from '../helpers/tar.js'

const SPEC: ImageSpec = {
  tag: 'bad:1',
  layers: [
    {
      members: [
        {path: 'a', size: 3000},
        {path: 'b', size: 10},
      ],
    },
    {members: [{path: 'c', size: 5}]},
  ],
}

/** Offsets of the members of a tar we generated: [path, headerOffset, dataOffset, size]. */
function layout(tar: Buffer): Array<[string, number, number, number]> {
  const out: Array<[string, number, number, number]> = []
  for (let off = 0; off + 512 <= tar.length;) {
    const block = tar.subarray(off, off + 512)
    if (block.every((b) => b === 0)) break
    const name = block.subarray(0, 100).toString().replace(/\0.*$/s, '')
    const size = Number.parseInt(block.subarray(124, 136).toString().replace(/\0.*$/s, '').trim() || '0', 8)
    out.push([name, off, off + 512, size])
    off += 512 + Math.ceil(size / 512) * 512
  }
  return out
}

describe('bad input: one line on stderr, exit 2, no stack', () => {
  const tmp = scratch()
  after(() => tmp.remove())

  async function expectError(args: string[], message: RegExp, stdin?: Buffer) {
    const result = await runCli(['analyze', ...args], {stdin})
    assert.equal(result.code, 2, result.stderr)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^docker-layers: [^\n]+\n$/)
    assert.match(result.stderr, message)
  }

  const save = legacySave([SPEC])
  const members = layout(save)
  const layerMember = members.find(([name]) => name.endsWith('/layer.tar'))!

  it('a missing path and a directory that is no layout', async () => {
    await expectError([`${tmp.dir}/nope.tar`], /cannot read .*nope\.tar: no such file or directory/)
    await expectError([tmp.dir], /no index\.json: not an OCI image layout/)
  })

  it('a file that is not a tar', async () => {
    await expectError(
      [tmp.file('text.tar', 'hello, this is not a tar archive at all\n'.repeat(20))],
      /text\.tar: not an image: neither a tar archive nor a gzip or zstd compressed one\n$/,
    )
    await expectError(
      ['-'],
      /^docker-layers: -: not an image: neither a tar archive nor a gzip or zstd compressed one\n$/,
      Buffer.from('{"json": true}'.repeat(100)),
    )
    await expectError([tmp.file('empty.tar', '')], /empty\.tar: empty, not an image archive\n$/)
  })

  it('truncation inside a header, inside a layer, and before the manifest', async () => {
    await expectError(
      [tmp.file('cut-header.tar', save.subarray(0, layerMember[1] + 100))],
      /cut-header\.tar: truncated tar \(a header at offset \d+ is cut short\)/,
    )
    await expectError(
      ['-'],
      /^docker-layers: -: [0-9a-f]{64}\/layer\.tar: truncated tar \(inside the content of a\)\n$/,
      save.subarray(0, layerMember[2] + 1000),
    )
    const manifest = members.find(([name]) => name === 'manifest.json')!
    await expectError(
      [tmp.file('no-manifest.tar', save.subarray(0, manifest[1]))],
      /no-manifest\.tar: truncated tar \(it ends at offset \d+ without the end-of-archive blocks\)/,
    )
  })

  it('a bad header checksum in the archive and in a layer', async () => {
    const outer = Buffer.from(save)
    outer[layerMember[1] + 10] ^= 0xff
    await expectError(
      [tmp.file('bad-outer.tar', outer)],
      /bad-outer\.tar: corrupt tar header at offset \d+ \(bad checksum\)/,
    )
    const inner = Buffer.from(save)
    inner[layerMember[2] + 512 * 7 + 20] ^= 0xff // b's header inside the layer, after a's header and 3000 bytes
    await expectError(
      [tmp.file('bad-inner.tar', inner)],
      /bad-inner\.tar: layer 0 \(sha256:[0-9a-f]{64}\): corrupt tar header at offset 3584 \(bad checksum\)/,
    )
  })

  it('corrupt gzip and zstd layers', async () => {
    for (const compression of ['gzip', 'zstd'] as const) {
      const archive = ociArchive([SPEC], {compression, dockerManifest: true})
      const blobs = layout(archive).filter(([name]) => name.startsWith('blobs/') && name.split('/').length === 3)
      const bad = Buffer.from(archive)
      for (const [, , data, size] of blobs) {
        if (archive.subarray(data, data + 1)[0] === 0x7b) continue // JSON
        for (let i = 20; i < size - 8; i++) bad[data + i] ^= 0x5a
      }
      await expectError(
        [tmp.file(`bad-${compression}.tar`, bad)],
        new RegExp(`layer 0 \\(sha256:[0-9a-f]{64}\\): corrupt ${compression} data`),
      )
    }
  })

  it('a manifest naming a layer the archive lacks', async () => {
    const manifest = JSON.stringify([{Config: 'c.json', RepoTags: ['x:1'], Layers: ['gone/layer.tar']}])
    const tar = tarOf([
      {path: 'c.json', content: '{"rootfs":{"diff_ids":["sha256:1"]}}'},
      {path: 'manifest.json', content: manifest},
    ])
    await expectError(
      [tmp.file('missing-layer.tar', tar)],
      /missing-layer\.tar: layer 0 \(sha256:1\) is missing from the archive/,
    )
  })

  it('an unknown or unsupported transport and a bad registry reference', async () => {
    await expectError(['containers-storage:foo'], /unsupported transport containers-storage:/)
    // refused before any registry is contacted
    await expectError(
      ['docker://BusyBox'],
      /^docker-layers: docker:\/\/BusyBox: not a valid image reference \(repository names are lowercase\)\n$/,
    )
  })

  it('an unreachable engine names the host tried and why that one', async () => {
    const result = await runCli(['analyze', 'busybox:latest'], {
      env: {DOCKER_HOST: `unix://${tmp.dir}/no.sock`, DOCKER_CONTEXT: ''},
    })
    assert.equal(result.code, 2)
    assert.equal(
      result.stderr,
      `docker-layers: cannot connect to the Docker engine at unix://${tmp.dir}/no.sock (from DOCKER_HOST): no such socket\n`,
    )
  })

  it('a stack trace only with DEBUG set', async () => {
    const result = await runCli(['analyze', `${tmp.dir}/nope.tar`], {env: {DEBUG: '1'}})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /\n {4}at /)
  })

  it('a bad flag is a usage error', async () => {
    const result = await runCli(['analyze', 'x', '--format', 'yaml'])
    assert.equal(result.code, 2)
    assert.match(
      result.stderr,
      /^docker-layers: Expected --format=yaml to be one of: table, json, jsonl, csv, markdown, html, or a Go template\n$/,
    )
  })

  it('an unknown command and an unexpected argument are usage errors', async () => {
    const unknown = await runCli(['nosuch'])
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [2, 'docker-layers: unknown command "nosuch"; see docker-layers help\n'],
    )
    const extra = await runCli(['analyze', 'a.tar', 'b.tar'])
    assert.deepEqual([extra.code, extra.stderr], [2, 'docker-layers: Unexpected argument: b.tar\n'])
  })

  it('flatten leaves nothing behind where it writes: the -o directory and the temporary directory', async () => {
    const out = scratch('dl-out-')
    const temp = scratch('dl-tmpdir-')
    try {
      const {diffIds} = buildImage(SPEC)
      const layerId = layerMember[0].split('/')[0]
      const inner = Buffer.from(save)
      inner[layerMember[2] + 512 * 7 + 20] ^= 0xff // b's header inside the layer
      const cases: Array<[string[], string, Buffer?]> = [
        // read from stdin: the stream is spooled to the temporary directory first
        [
          ['-'],
          `-: ${layerId}/layer.tar: truncated tar (inside the content of a)`,
          save.subarray(0, layerMember[2] + 1000),
        ],
        [
          [tmp.file('flatten-bad-inner.tar', inner)],
          `${tmp.file('flatten-bad-inner.tar')}: layer 0 (${diffIds[0]}): corrupt tar header at offset 3584 (bad checksum)`,
        ],
        [[tmp.file('flatten-good.tar', save), '--from', '2'], '--from 2: the image has 2 layers; squash from 0 to 1'],
        [['-', '--from', '2'], '--from 2: the image has 2 layers; squash from 0 to 1', save],
      ]
      for (const [args, message, stdin] of cases) {
        const result = await runCli(['flatten', ...args, '-o', `${out.dir}/flat.tar`], {
          stdin,
          env: {TMPDIR: temp.dir},
        })
        assert.deepEqual([result.code, result.stdout, result.stderr], [2, '', `docker-layers: ${message}\n`])
        assert.deepEqual([readdirSync(out.dir), readdirSync(temp.dir)], [[], []], args.join(' '))
      }
    } finally {
      out.remove()
      temp.remove()
    }
  })
})
