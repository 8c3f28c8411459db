import {Header, Pax} from 'tar'

import type {EntryKind} from '../model/entry.js'
import type {TarHeader} from '../tar/walk.js'

/** One member of a tar we write: the fields a header carries, the kind named as the model names it. */
export interface OutEntry extends Omit<TarHeader, 'type' | 'dataOffset'> {
  kind: EntryKind
}

const TYPE: Record<EntryKind, string> = {
  file: 'File',
  dir: 'Directory',
  symlink: 'SymbolicLink',
  hardlink: 'Link',
  char: 'CharacterDevice',
  block: 'BlockDevice',
  fifo: 'FIFO',
}

export const BLOCK = 512

const ZEROS = Buffer.alloc(BLOCK)

/** The zeros that pad content to a whole block (a view of one shared, never-written buffer). */
export function padding(size: number): Buffer {
  return ZEROS.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK)
}

/** A pax record: "<length> <key>=<value>\n", the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length) length++
  return `${length}${body}`
}

/**
 * The header blocks of an entry: a pax extended header when the name, link, ids, size or xattrs do not
 * fit ustar (long or non-ASCII names included), then the ustar header. node-tar's Header encodes both.
 */
export function headerBlocks(entry: OutEntry): Buffer {
  let blocks = encoded.get(entry)
  if (!blocks) {
    blocks = encodeHeader(entry)
    encoded.set(entry, blocks)
  }
  return blocks
}

/** Headers are encoded once per entry: sizing the layer in advance and writing it read the same bytes. */
const encoded = new WeakMap<OutEntry, Buffer>()

function encodeHeader(entry: OutEntry): Buffer {
  const name = entry.kind === 'dir' ? `${entry.path}/` : entry.path
  const data = {
    path: name,
    type: TYPE[entry.kind] as never,
    size: entry.kind === 'file' ? entry.size : 0,
    mode: entry.mode & 0o7777,
    uid: entry.uid,
    gid: entry.gid,
    uname: entry.uname,
    gname: entry.gname,
    mtime: new Date(Math.floor(entry.mtime) * 1000),
    linkpath: entry.linkpath,
    devmaj: entry.devmajor,
    devmin: entry.devminor,
  }
  const block = Buffer.alloc(BLOCK)
  const needPax = new Header(data).encode(block, 0)
  if (!needPax && !entry.xattrs) return block
  let body = needPax ? new Pax({path: name, linkpath: entry.linkpath || undefined, uid: entry.uid, gid: entry.gid, size: data.size, uname: entry.uname, gname: entry.gname} as never).encodeBody() : ''
  for (const [key, value] of Object.entries(entry.xattrs ?? {})) body += paxRecord(`SCHILY.xattr.${key}`, value)
  const bodyBytes = Buffer.from(body)
  const paxHeader = Buffer.alloc(BLOCK)
  new Header({path: `PaxHeader/${name.split('/').filter(Boolean).pop() ?? 'root'}`.slice(0, 99), type: 'ExtendedHeader', size: bodyBytes.length, mode: 0o644, mtime: data.mtime} as never).encode(paxHeader, 0)
  // the ustar header keeps an ASCII stand-in short enough to need no prefix; readers take the pax records
  const short = Buffer.alloc(BLOCK)
  new Header({...data, path: asciiTail(name), linkpath: asciiTail(entry.linkpath)} as never).encode(short, 0)
  return Buffer.concat([paxHeader, bodyBytes, padding(bodyBytes.length), short])
}

function asciiTail(text: string): string {
  return text.replaceAll(/[^\x20-\x7e]/g, '_').slice(-99)
}

/** Bytes a member takes in the tar: its header blocks and padded content. */
export function memberSize(entry: OutEntry): number {
  const content = entry.kind === 'file' ? entry.size : 0
  return headerBlocks(entry).length + content + padding(content).length
}

/** The two zero blocks that end a tar. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2)
