import {Header, type HeaderData, Pax} from 'tar'

import {InputError} from '../errors.js'
import {type ByteReader, LimitedReader} from './byte-reader.js'
import {decodeFast, type FastHeader} from './fast-header.js'

const BLOCK = 512
/** Pax and GNU long-name bodies larger than this are refused rather than buffered. */
const MAX_META_BODY = 1 << 20

export type TarEntryType =
  | 'file'
  | 'hardlink'
  | 'symlink'
  | 'char'
  | 'block'
  | 'dir'
  | 'fifo'

/** One tar member as read from its headers (pax and GNU extensions applied). */
export interface TarHeader {
  path: string
  type: TarEntryType
  size: number
  mode: number
  uid: number
  gid: number
  uname: string
  gname: string
  /** Seconds since the epoch (fractional with pax). */
  mtime: number
  linkpath: string
  devmajor: number
  devminor: number
  /** SCHILY.xattr.* pax records, when present. */
  xattrs?: Record<string, string>
  /** Offset of the member's content from the start of this tar stream. */
  dataOffset: number
}

export interface TarMember {
  header: TarHeader
  /** The member's content; whatever the consumer leaves unread is skipped. */
  body: LimitedReader
}

const TYPES: Partial<Record<string, TarEntryType>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Link: 'hardlink',
  SymbolicLink: 'symlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  Directory: 'dir',
  GNUDumpDir: 'dir',
  FIFO: 'fifo',
}

/** node-tar's Header, for pax-extended and unusual headers, in the fast decoder's shape. */
function nodeTarHeader(block: Buffer, ex: HeaderData | undefined, gex: HeaderData | undefined): FastHeader {
  const h = new Header(block, 0, ex, gex)
  return {
    path: h.path ?? '',
    type: h.type,
    size: h.size ?? 0,
    mode: h.mode ?? 0,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    mtime: h.mtime ? h.mtime.getTime() / 1000 : 0,
    linkpath: h.linkpath ?? '',
    uname: h.uname ?? '',
    gname: h.gname ?? '',
    devmaj: h.devmaj ?? 0,
    devmin: h.devmin ?? 0,
    cksumValid: h.cksumValid,
    nullBlock: h.nullBlock,
  }
}

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0)
  return (nul === -1 ? buf : buf.subarray(0, nul)).toString('utf8')
}

function xattrsOf(body: string): Record<string, string> | undefined {
  let found: Record<string, string> | undefined
  for (const line of body.split('\n')) {
    const m = /^\d+ SCHILY\.xattr\.([^=]+)=(.*)$/s.exec(line)
    if (m) (found ??= {})[m[1]] = m[2]
  }
  return found
}

/**
 * Walks the members of a tar stream, reading only headers unless the consumer reads a body.
 * `name` labels errors ("layer 3: truncated tar: …"). Seeks past contents on file readers.
 */
export async function* walkTar(reader: ByteReader, name: string): AsyncGenerator<TarMember> {
  let ex: HeaderData | undefined
  let gex: HeaderData | undefined
  let exXattrs: Record<string, string> | undefined
  let longPath: string | undefined
  let longLink: string | undefined
  for (;;) {
    const headerOffset = reader.position
    // eslint-disable-next-line no-await-in-loop
    const block = await reader.read(BLOCK)
    if (block.length === 0) {
      if (headerOffset === 0) throw new InputError(`${name}: empty file, not a tar archive`)
      throw new InputError(`${name}: truncated tar (it ends at offset ${headerOffset} without the end-of-archive blocks)`)
    }
    if (block.length < BLOCK) throw new InputError(`${name}: truncated tar (a header at offset ${headerOffset} is cut short)`)
    const header = (ex || gex ? undefined : decodeFast(block)) ?? nodeTarHeader(block, ex, gex)
    if (header.nullBlock) {
      if (headerOffset === 0) {
        // eslint-disable-next-line no-await-in-loop
        const next = await reader.peek(BLOCK)
        if (next.length > 0 && !next.every((b) => b === 0)) throw new InputError(`${name}: not a tar archive`)
      }
      return
    }
    if (!header.cksumValid) {
      throw new InputError(
        headerOffset === 0 ? `${name}: not a tar archive` : `${name}: corrupt tar header at offset ${headerOffset} (bad checksum)`,
      )
    }
    const size = header.size
    if (size < 0 || !Number.isSafeInteger(size)) throw new InputError(`${name}: corrupt tar header at offset ${headerOffset} (size)`)
    const body = new LimitedReader(reader, size)
    const typeName = header.type as string
    if (typeName === 'ExtendedHeader' || typeName === 'GlobalExtendedHeader' || typeName === 'NextFileHasLongPath' || typeName === 'NextFileHasLongLinkpath' || typeName === 'OldGnuLongPath') {
      if (size > MAX_META_BODY) throw new InputError(`${name}: ${typeName} header at offset ${headerOffset} is too large (${size} bytes)`)
      // eslint-disable-next-line no-await-in-loop
      const data = await body.read(size)
      if (data.length < size) throw new InputError(`${name}: truncated tar (inside the header at offset ${headerOffset})`)
      // eslint-disable-next-line no-await-in-loop
      await skipPadding(reader, size, name)
      if (typeName === 'ExtendedHeader') {
        const text = data.toString('utf8')
        ex = Pax.parse(text, ex, false)
        exXattrs = xattrsOf(text)
      } else if (typeName === 'GlobalExtendedHeader') {
        gex = Pax.parse(data.toString('utf8'), gex, true)
      } else if (typeName === 'NextFileHasLongLinkpath') {
        longLink = cString(data)
      } else {
        longPath = cString(data)
      }
      continue
    }
    const type = TYPES[typeName]
    const tarHeader: TarHeader = {
      // POSIX: a pax path replaces both name and prefix (node-tar's Header would prepend the prefix)
      path: longPath ?? ex?.path ?? header.path,
      type: type ?? 'file',
      size: type === 'file' || type === undefined ? size : 0,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      uname: header.uname,
      gname: header.gname,
      mtime: header.mtime,
      linkpath: longLink ?? ex?.linkpath ?? header.linkpath,
      devmajor: header.devmaj,
      devminor: header.devmin,
      dataOffset: headerOffset + BLOCK,
    }
    if (exXattrs) tarHeader.xattrs = exXattrs
    ex = undefined
    exXattrs = undefined
    longPath = undefined
    longLink = undefined
    yield {header: tarHeader, body}
    // eslint-disable-next-line no-await-in-loop
    const left = body.remaining
    // eslint-disable-next-line no-await-in-loop
    if (left > 0 && (await body.skip(left)) < left) throw new InputError(`${name}: truncated tar (inside the content of ${tarHeader.path})`)
    // eslint-disable-next-line no-await-in-loop
    await skipPadding(reader, size, name)
  }
}

async function skipPadding(reader: ByteReader, size: number, name: string): Promise<void> {
  const pad = (BLOCK - (size % BLOCK)) % BLOCK
  if (pad > 0 && (await reader.skip(pad)) < pad) throw new InputError(`${name}: truncated tar (inside the padding after offset ${reader.position})`)
}
