// Registry references named as docker names them. Nothing here is contacted: docker.io is only parsed.
import assert from 'node:assert/strict'

import {formatReference, isLoopback, parseReference} from '../../src/registry/reference.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('registry references', () => {
  it('normalizes Docker Hub names as docker does: library/, latest, index.docker.io, registry-1.docker.io', () => {
    const hub = (repository: string, tag = 'latest') => ({
      registry: 'docker.io',
      apiHost: 'registry-1.docker.io',
      repository,
      tag,
    })
    assert.deepEqual(parseReference('alpine'), hub('library/alpine'))
    assert.deepEqual(parseReference('alpine:3.20'), hub('library/alpine', '3.20'))
    assert.deepEqual(parseReference('docker.io/alpine'), hub('library/alpine'))
    assert.deepEqual(parseReference('index.docker.io/library/alpine:edge'), hub('library/alpine', 'edge'))
    assert.deepEqual(parseReference('bitnami/redis:7'), hub('bitnami/redis', '7'))
    assert.equal(formatReference(parseReference('alpine')), 'docker://docker.io/library/alpine:latest')
  })

  it('takes a first part with a dot, a colon, localhost or capitals for a host', () => {
    assert.deepEqual(parseReference('ghcr.io/org/app:1'), {
      registry: 'ghcr.io',
      apiHost: 'ghcr.io',
      repository: 'org/app',
      tag: '1',
    })
    assert.deepEqual(parseReference('localhost:5000/app'), {
      registry: 'localhost:5000',
      apiHost: 'localhost:5000',
      repository: 'app',
      tag: 'latest',
    })
    assert.equal(parseReference('localhost/app').registry, 'localhost')
    assert.equal(parseReference('Registry/app').registry, 'Registry')
    assert.equal(parseReference('[::1]:5000/a/b/c:t').registry, '[::1]:5000')
    assert.equal(parseReference('[::1]:5000/a/b/c:t').repository, 'a/b/c')
    // a lowercase first part without . or : is a Docker Hub namespace
    assert.equal(parseReference('myorg/app').registry, 'docker.io')
  })

  it('pins a digest, which wins over a tag that is kept for messages', () => {
    assert.deepEqual(parseReference(`127.0.0.1:5000/app@${DIGEST}`), {
      registry: '127.0.0.1:5000',
      apiHost: '127.0.0.1:5000',
      repository: 'app',
      digest: DIGEST,
    })
    const both = parseReference(`127.0.0.1:5000/app:1@${DIGEST}`)
    assert.deepEqual([both.tag, both.digest], ['1', DIGEST])
    assert.equal(formatReference(both), `docker://127.0.0.1:5000/app:1@${DIGEST}`)
  })

  it('refuses what docker refuses, naming the reference and the reason', () => {
    const refused = (text: string) => {
      try {
        parseReference(text)
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    }
    assert.equal(refused(''), 'docker://: not a valid image reference (empty)')
    assert.equal(refused('Alpine'), 'docker://Alpine: not a valid image reference (repository names are lowercase)')
    assert.equal(
      refused('host.io/app--'),
      'docker://host.io/app--: not a valid image reference (bad repository part "app--": letters, digits and ' +
        'single . _ __ or - between them)',
    )
    assert.equal(refused('app:-x'), 'docker://app:-x: not a valid image reference (bad tag "-x")')
    assert.equal(
      refused('app@sha256:abc'),
      'docker://app@sha256:abc: not a valid image reference (the digest must be sha256: and 64 lowercase hex digits)',
    )
    assert.equal(refused('host.io/'), 'docker://host.io/: not a valid image reference (no repository)')
    assert.equal(
      refused('ho_st.io/app'),
      'docker://ho_st.io/app: not a valid image reference (bad registry host "ho_st.io")',
    )
    assert.equal(
      refused(`h.io/${'a'.repeat(260)}`),
      `docker://h.io/${'a'.repeat(260)}: not a valid image reference (longer than 255 characters)`,
    )
  })

  it('knows loopback hosts: localhost, 127.0.0.0/8 and ::1, with or without a port', () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', '[::1]'])
      assert.equal(isLoopback(host), true, host)
    for (const host of ['docker.io', '128.0.0.1:5000', '10.0.0.1', 'localhost.example.com', '[::2]:5000'])
      assert.equal(isLoopback(host), false, host)
  })
})
