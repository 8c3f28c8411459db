// Layers of hardlinks, valid and invalid as the engine decides: the CLI and engine suites share them.
import type {ImageSpec} from './images.js'

/**
 * Hardlinks the engine refuses to extract (`docker load` fails: link(2) returns ENOENT, EPERM or ELOOP), one
 * written twice, one to an invalid link; and valid ones: to a hardlink, to a file deleted above.
 */
export const INVALID_LINKS: ImageSpec = {
  tag: 'bad-links:1',
  layers: [
    {
      members: [
        {path: 'a', content: 'AAAA'},
        {path: 'self', type: 'hardlink', linkpath: 'self'},
        {path: 'missing', type: 'hardlink', linkpath: 'nowhere'},
        {path: 'dir/', type: 'dir'},
        {path: 'todir', type: 'hardlink', linkpath: 'dir'},
        {path: 'toroot', type: 'hardlink', linkpath: './'},
        {path: 'spin', type: 'symlink', linkpath: 'spin', mode: 0o777},
        {path: 'tospin', type: 'hardlink', linkpath: 'spin/x'},
        {path: 'l1', type: 'hardlink', linkpath: 'a'},
        {path: 'l2', type: 'hardlink', linkpath: 'l1'},
      ],
    },
    {
      members: [
        {path: 'self', type: 'hardlink', linkpath: 'self'},
        {path: 'later', type: 'hardlink', linkpath: 'missing'},
      ],
    },
  ],
}

/** The notes every read-only command prints for INVALID_LINKS: one per path, in the order the layers write them. */
export const INVALID_LINK_NOTES = [
  'hardlink /self in layer 0 links to itself',
  'hardlink /missing in layer 0 links to /nowhere, which does not exist when the link is made',
  'hardlink /todir in layer 0 links to /dir, a directory',
  'hardlink /toroot in layer 0 links to /, a directory',
  'hardlink /tospin in layer 0 links to /spin/x through too many symbolic links',
  'hardlink /later in layer 1 links to /missing, which does not exist when the link is made',
]
  .map((line) => `note: ${line}: docker refuses to load such a layer; counted as a 0-byte hardlink\n`)
  .join('')

/**
 * Hardlinks the engine accepts: to a hardlink, to a symlink (one more name of it), through a symlinked directory,
 * to a file the layer above deletes (the link keeps its content).
 */
export const VALID_LINKS: ImageSpec = {
  tag: 'good-links:1',
  layers: [
    {
      members: [
        {path: 'a', content: 'AAAA'},
        {path: 'l1', type: 'hardlink', linkpath: 'a'},
        {path: 'l2', type: 'hardlink', linkpath: 'l1'},
        {path: 'sym', type: 'symlink', linkpath: 'a', mode: 0o777},
        {path: 'tosym', type: 'hardlink', linkpath: 'sym'},
        {path: 't', content: 'TTTTTT'},
        {path: 'keep', type: 'hardlink', linkpath: 't'},
        {path: 'dir/f', content: 'F'},
        {path: 's', type: 'symlink', linkpath: '/dir', mode: 0o777},
        {path: 'through', type: 'hardlink', linkpath: 's/f'},
      ],
    },
    {members: [{path: '.wh.t'}]},
  ],
}
