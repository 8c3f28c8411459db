import {Header, Pax} from 'tar'

import type {EntryKind} from '../model/entry.js'
import {paddingLength, type TarHeader} from './walk.js'

/** One member of a tar we write: the fields a header carries, the kind named as the model names it. */
export interface OutEntry extends Omit<TarHeader, 'type' | 'dataOffset'> {
  kind: EntryKind
}

/**
 * A root-owned 0644 file with no time, names or link: a member of an archive we write (`manifest.json`, a layer) or
 * a whiteout marker.
 */
export function plainFile(path: string, size: number): OutEntry {
  const none = {uname: '', gname: '', linkpath: '', devmajor: 0, devminor: 0}
  return {path, kind: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 0, ...none}
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

/** The longest name ustar holds: a 155-byte prefix, a slash, a 100-byte name. */
const USTAR_PATH_MAX = 256

const ZEROS = Buffer.alloc(BLOCK)

/** The zeros that pad content to a whole block (a view of one shared, never-written buffer). */
export function padding(size: number): Buffer {
  return ZEROS.subarray(0, paddingLength(size))
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
 * fit ustar (long or non-ASCII names included), then the ustar header. Plain entries (nearly all) are
 * encoded here, byte for byte as node-tar's Header would; node-tar's Header and Pax encode the rest.
 */
export function headerBlocks(entry: OutEntry): Buffer {
  const name = entry.kind === 'dir' ? `${entry.path}/` : entry.path
  const plain = entry.xattrs ? undefined : encodeUstar(entry, name)
  if (plain) return plain
  let blocks = encoded.get(entry)
  if (!blocks) {
    blocks = encodeWithPax(entry, name)
    encoded.set(entry, blocks)
  }
  return blocks
}

/** Pax-extended headers are encoded once per entry: sizing the layer in advance and writing it read the same bytes. */
const encoded = new WeakMap<OutEntry, Buffer>()

const TYPE_FLAG: Record<EntryKind, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  dir: 0x35,
  fifo: 0x36,
}
const USTAR_MAGIC = Buffer.from('ustar\u000000', 'latin1')
/** The checksum of the blank parts: the checksum field counted as spaces, and the magic. */
const BASE_SUM = 8 * 0x20 + USTAR_MAGIC.reduce((sum, byte) => sum + byte, 0)

/** A printable-ASCII string of at most `max` bytes (what a ustar field holds as is). */
function fits(text: string, max: number): boolean {
  if (text.length > max) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return false
  }
  return true
}

/** Writes an ASCII string; returns the sum of its bytes for the checksum. */
function putText(block: Buffer, offset: number, text: string): number {
  let sum = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    block[offset + i] = c
    sum += c
  }
  return sum
}

/**
 * node-tar's octal field: zero-padded digits, then a space and NUL (or only a NUL when the digits fill
 * the field). Returns the sum of its bytes.
 */
function putOctal(block: Buffer, offset: number, size: number, value: number): number {
  let digits = 1
  for (let v = value; v >= 8; v = Math.floor(v / 8)) digits++
  let sum = 0
  let end = offset + size - 1 // after the last digit; a NUL ends the field
  if (digits !== size - 1) {
    end--
    block[end] = 0x20
    sum += 0x20
  }
  let v = value
  for (let i = end - 1; i >= offset; i--) {
    const digit = 0x30 + (v % 8)
    block[i] = digit
    sum += digit
    v = Math.floor(v / 8)
  }
  return sum
}

/** The single ustar block of an entry that needs no pax header, or undefined when it does. */
function encodeUstar(entry: OutEntry, name: string): Buffer | undefined {
  const size = entry.kind === 'file' ? entry.size : 0
  const mtime = Math.floor(entry.mtime)
  const small = (value: number) => value >= 0 && value <= 0o7777777
  if (
    name.length >= 100 ||
    !fits(name, 99) ||
    !fits(entry.linkpath, 100) ||
    !fits(entry.uname, 32) ||
    !fits(entry.gname, 32)
  )
    return undefined
  if (!small(entry.uid) || !small(entry.gid) || !small(entry.devmajor) || !small(entry.devminor)) return undefined
  if (!(size >= 0 && size <= 0o77777777777 && mtime >= 0 && mtime <= 0o77777777777)) return undefined // NaN too
  const block = Buffer.alloc(BLOCK)
  let sum = BASE_SUM + putText(block, 0, name)
  sum += putOctal(block, 100, 8, entry.mode & 0o7777)
  sum += putOctal(block, 108, 8, entry.uid)
  sum += putOctal(block, 116, 8, entry.gid)
  sum += putOctal(block, 124, 12, size)
  sum += putOctal(block, 136, 12, mtime)
  block[156] = TYPE_FLAG[entry.kind]
  sum += TYPE_FLAG[entry.kind] + putText(block, 157, entry.linkpath)
  USTAR_MAGIC.copy(block, 257)
  sum += putText(block, 265, entry.uname) + putText(block, 297, entry.gname)
  sum += putOctal(block, 329, 8, entry.devmajor)
  sum += putOctal(block, 337, 8, entry.devminor)
  putOctal(block, 148, 8, sum)
  return block
}

/** The entry in the shape node-tar's Header takes: the reference encoding, and the encoder for pax entries. */
function nodeTarFields(entry: OutEntry, name: string) {
  return {
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
}

function encodeWithPax(entry: OutEntry, name: string): Buffer {
  const data = nodeTarFields(entry, name)
  const block = Buffer.alloc(BLOCK)
  // past ustar's 155-byte prefix and 100-byte name, a pax path is certain: node-tar's search for a split
  // point would cost time quadratic in the name's length (minutes for a name 20,000 bytes long)
  const needPax = Buffer.byteLength(name) > USTAR_PATH_MAX || new Header(data).encode(block, 0)
  if (!needPax && !entry.xattrs) return block
  let body = needPax
    ? new Pax({
        path: name,
        linkpath: entry.linkpath || undefined,
        uid: entry.uid,
        gid: entry.gid,
        size: data.size,
        uname: entry.uname,
        gname: entry.gname,
      } as never).encodeBody()
    : ''
  for (const [key, value] of Object.entries(entry.xattrs ?? {})) body += paxRecord(`SCHILY.xattr.${key}`, value)
  const bodyBytes = Buffer.from(body)
  const paxHeader = Buffer.alloc(BLOCK)
  new Header({
    path: `PaxHeader/${name.split('/').filter(Boolean).pop() ?? 'root'}`.slice(0, 99),
    type: 'ExtendedHeader',
    size: bodyBytes.length,
    mode: 0o644,
    mtime: data.mtime,
  } as never).encode(paxHeader, 0)
  // with pax records for the fields ustar cannot hold, the ustar header keeps an ASCII stand-in short enough to
  // need no prefix (readers take the pax path); with xattrs alone, it keeps the name as ustar holds it
  let ustar = block
  if (needPax) {
    ustar = Buffer.alloc(BLOCK)
    new Header({...data, path: asciiTail(name), linkpath: asciiTail(entry.linkpath)} as never).encode(ustar, 0)
  }
  return Buffer.concat([paxHeader, bodyBytes, padding(bodyBytes.length), ustar])
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
