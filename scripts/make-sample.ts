// Writes sample/sample-image.tar: a small legacy `docker save` with the waste real images carry.
// Deterministic: the same bytes every run (a test checks the committed file against it).
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {type ImageSpec, legacySave} from '../test/helpers/images.js'

/** Deterministic filler that compresses like real binaries do not: a xorshift stream. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

const T = 1_714_000_000

export const SAMPLE: ImageSpec = {
  tag: 'docker-layers/sample:1.0',
  config: {Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/app/server'], WorkingDir: '/app', User: 'app'},
  layers: [
    {
      createdBy: 'ADD rootfs.tar.gz / # busybox',
      members: [
        {path: 'bin/', type: 'dir'},
        {path: 'bin/busybox', content: bytes(96_000, 1), mode: 0o755, mtime: T},
        {path: 'bin/sh', type: 'symlink', linkpath: 'busybox'},
        {path: 'etc/', type: 'dir'},
        {path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n', mtime: T},
        {path: 'etc/group', content: 'root:x:0:\napp:x:1000:\n', mtime: T},
        {path: 'root/', type: 'dir', mode: 0o700},
        {path: 'tmp/', type: 'dir', mode: 0o1777},
      ],
    },
    {
      createdBy: 'RUN apt-get update && apt-get install -y curl',
      members: [
        {path: 'usr/bin/curl', content: bytes(42_000, 2), mode: 0o755, mtime: T + 10},
        {
          path: 'var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages',
          content: bytes(61_000, 3),
          mtime: T + 10,
        },
        {path: 'var/cache/apt/archives/curl_7.88.1-10_amd64.deb', content: bytes(38_000, 4), mtime: T + 10},
        {path: 'var/cache/apt/pkgcache.bin', content: bytes(24_000, 5), mtime: T + 10},
      ],
    },
    {
      createdBy: 'RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin',
      members: [
        {path: 'var/lib/apt/', type: 'dir'},
        {path: 'var/lib/apt/lists/', type: 'dir'},
        {path: 'var/lib/apt/lists/.wh..wh..opq'},
        {path: 'var/cache/apt/', type: 'dir'},
        {path: 'var/cache/apt/.wh.pkgcache.bin'},
      ],
    },
    {
      createdBy: 'COPY . /app # with the deploy key',
      members: [
        {path: 'app/', type: 'dir'},
        {path: 'app/server', content: bytes(30_000, 6), mode: 0o755, mtime: T + 20},
        {path: 'app/config.yml', content: 'listen: 8080\nlog: info\n', mtime: T + 20},
        {path: 'root/.ssh/', type: 'dir', mode: 0o700},
        {
          path: 'root/.ssh/id_rsa',
          content: `-----BEGIN OPENSSH PRIVATE KEY-----\n${bytes(1_800, 7).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`,
          mode: 0o600,
          mtime: T + 20,
        },
      ],
    },
    {
      createdBy: 'RUN rm /root/.ssh/id_rsa',
      members: [{path: 'root/.ssh/', type: 'dir', mode: 0o700}, {path: 'root/.ssh/.wh.id_rsa'}],
    },
    {
      createdBy: 'RUN chown -R app:app /app',
      members: [
        {path: 'app/', type: 'dir', uid: 1000, gid: 1000},
        {path: 'app/server', content: bytes(30_000, 6), mode: 0o755, uid: 1000, gid: 1000, mtime: T + 20},
        {path: 'app/config.yml', content: 'listen: 8080\nlog: info\n', uid: 1000, gid: 1000, mtime: T + 20},
      ],
    },
  ],
  emptyAfter: {5: ['USER app', 'WORKDIR /app', 'CMD ["/app/server"]']},
}

export const SAMPLE_PATH = fileURLToPath(new URL('../sample/sample-image.tar', import.meta.url))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SAMPLE_PATH, legacySave([SAMPLE]))
  process.stdout.write(`wrote ${SAMPLE_PATH}\n`)
}
