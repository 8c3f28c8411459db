// Layer stacks that once made the generative suite fail, kept as fixed cases (each says what it found).
import {type GeneratedStack, type Meta, type StackEntry, stackOf} from '../helpers/random-stacks.js'

const meta = (mode = 0o644, uid = 0, gid = 0): Meta => ({mode, uid, gid, uname: '', gname: '', mtime: 1_700_000_000})
const file = (path: string, text: string, m = meta()): StackEntry => ({
  kind: 'file',
  path,
  meta: m,
  content: Buffer.from(text),
})
const whiteout = (path: string): StackEntry => ({kind: 'whiteout', path, meta: meta()})
const opaque = (path: string): StackEntry => ({kind: 'opaque', path, meta: meta()})
const dir = (path: string): StackEntry => ({kind: 'dir', path, meta: meta(0o755)})
const link = (path: string, target: string): StackEntry => ({kind: 'hardlink', path, meta: meta(), target})

export const CORPUS: Record<string, GeneratedStack> = {
  'a whiteout and an opaque marker whose directories do not exist below imply them (issue 21)': stackOf(
    [[file('c/a/a', 'x')], [whiteout('X/a/ü'), opaque('Y')]],
    {format: 'docker-archive', compression: 'none', others: 0},
  ),
  'an opaque marker of a directory the same layer whites out still implies it': stackOf(
    [[file('a/b', 'x')], [opaque('a'), whiteout('a')]],
    {format: 'oci-archive', compression: 'gzip', others: 1},
  ),
  'a GNU-format device after a global pax header keeps its numbers (they read as 0:0, a whiteout)': stackOf(
    [[{kind: 'char', path: 'dev/tty', meta: meta(0o620, 0, 5), device: [4, 64]}, file('a', 'x')]],
    {format: 'docker-archive', compression: 'none', others: 0},
    {flavor: 'gnu', globalHeader: true},
  ),
  'flatten keeps a long name that ustar holds with its prefix when xattrs need a pax header': stackOf(
    [
      [
        {
          kind: 'file',
          path: `${'L'.repeat(110)}/b/c`,
          meta: {...meta(), xattrs: {'user.k': 'v'}},
          content: Buffer.from('x'),
        },
      ],
    ],
    {format: 'docker-archive', compression: 'none', others: 0},
  ),
  'flatten --from links a squashed name to the name the base keeps, so both still share one file': stackOf(
    [
      [dir('a'), file('z', 'shared'), link('m', 'z')],
      [whiteout('z'), link('a', 'm')],
    ],
    {format: 'docker-archive', compression: 'none', others: 0},
  ),
  "files' D rows show a directory as it was below, though its own layer rewrote it before removing it": stackOf(
    [
      [dir('a'), {kind: 'dir', path: 'a/c', meta: meta(0o1777, 1)}, file('a/c/f', 'x')],
      [{kind: 'dir', path: 'a/c', meta: meta(0o755, 65534)}, file('a', 'replaces the directory')],
    ],
    {format: 'docker-archive', compression: 'none', others: 0},
  ),
  'flatten --from writes a base file again when a squashed hardlink, since removed, changed its mode and owner':
    stackOf(
      [
        [file('a', 'shared', meta(0o600, 0, 3_000_000)), link('b', 'a')],
        [{...link('d/c', 'a'), meta: meta(0o666, 0, 1)}],
        [whiteout('d')],
      ],
      {format: 'docker-archive', compression: 'none', others: 0},
    ),
  'flatten --from writes a directory the squashed layers imply where the base layers have the path (their dir showed)':
    stackOf(
      [[{kind: 'dir', path: 'c/a', meta: meta(0o2775, 0, 65534)}], [file('c/a', 'now a file'), file('c/a/b', 'x')]],
      {format: 'docker-archive', compression: 'none', others: 0},
    ),
}
