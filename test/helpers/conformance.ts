// The image every source kind must yield alike (test/sources/conformance.test.ts, test/engine/conformance.test.ts).
import type {Image} from '../../src/image/image.js'
import type {ImageSpec} from './images.js'

const T = 1_700_000_000
/** An image with every entry kind, whiteouts, an opaque directory and a chmod copy. */
export const CONFORMANCE_SPEC: ImageSpec = {
  tag: 'conf:1',
  config: {Env: ['A=1'], Cmd: ['/bin/app']},
  layers: [
    {
      createdBy: 'base',
      members: [
        {path: './', type: 'dir', mode: 0o755, mtime: T},
        {path: 'bin/', type: 'dir', mtime: T},
        {path: 'bin/app', content: 'A'.repeat(1500), mode: 0o4755, mtime: T},
        {path: 'bin/sh', type: 'symlink', linkpath: 'app'},
        {path: 'etc/conf', content: 'x=1\n', uid: 10, gid: 20, uname: 'u', gname: 'g', mtime: T},
        {path: 'etc/conf.bak', type: 'hardlink', linkpath: 'etc/conf'},
        {path: 'cache/', type: 'dir', mode: 0o700, mtime: T},
        {path: 'cache/blob', content: 'c'.repeat(700), mtime: T},
        {path: 'dev/null', type: 'char', mode: 0o666},
        {path: 'run/fifo', type: 'fifo'},
      ],
    },
    {createdBy: 'clean', members: [{path: 'cache/.wh..wh..opq'}, {path: 'etc/.wh.conf.bak'}]},
    {createdBy: 'chmod', members: [{path: 'bin/app', content: 'A'.repeat(1500), mode: 0o755, mtime: T}]},
  ],
}

/** Everything an Image says, minus where it came from. */
export function essence(image: Image) {
  return {
    id: image.id,
    config: image.config,
    layers: image.layers.map(({index, diffId, contents}) => ({index, diffId, contents})),
  }
}
