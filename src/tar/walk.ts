import {Header, type HeaderData, Pax} from 'tar'

import {InputError} from '../errors.js'
import {type ByteReader, LimitedReader} from './byte-reader.js'
import {checksumValid, decodeFast, type FastHeader, octal, text} from './fast-header.js'

const BLOCK = 512
/** Pax and GNU long-name bodies larger than this are refused rather than buffered. */
const MAX_META_BODY = 1 << 20

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo'

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

/** GNU's magic and version: its headers keep names and device numbers where ustar does. */
const GNU_MAGIC = 'ustar  \0'

/** node-tar's Header, for pax-extended and unusual headers, in the fast decoder's shape. */
function nodeTarHeader(block: Buffer, ex: HeaderData | undefined, gex: HeaderData | undefined): FastHeader {
  const h = new Header(block, 0, ex, gex)
  // node-tar reads user and group names and device numbers from POSIX ustar headers only
  if (block.toString('latin1', 257, 265) === GNU_MAGIC) {
    h.uname ??= text(block, 265, 32)
    h.gname ??= text(block, 297, 32)
    h.devmaj = octal(block, 329, 8) ?? 0
    h.devmin = octal(block, 337, 8) ?? 0
  }
  return {
    path: h.path ?? '',
    type: h.type,
    // node-tar reads a negative base-256 size as none: -1 here, for the walk to refuse
    size: h.size ?? (block[124] & 0x80 ? -1 : 0),
    mode: h.mode ?? 0,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    mtime: h.mtime ? h.mtime.getTime() / 1000 : 0,
    linkpath: h.linkpath ?? '',
    // node-tar reads owner names from POSIX ustar headers only; GNU's ("ustar  \0") hold them in the same place
    uname: h.uname ?? cString(block.subarray(265, 297)),
    gname: h.gname ?? cString(block.subarray(297, 329)),
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

/** How many members a walk handles before it lets timers (the progress bar) run. */
const MEMBERS_PER_TURN = 4096

/**
 * Walks the members of a tar stream, calling `visit` for each: it reads only headers unless the visitor
 * reads a body, and skips (seeks, on a file) what the visitor leaves. The walk waits only for data that
 * is not at hand and for visitors that return a promise, so a file's headers are parsed in one
 * synchronous run, with a turn of the event loop every few thousand members. Errors name `name`
 * ("layer 3: truncated tar: …"). Returns early when a visitor returns `false` (or a promise of it).
 */
export async function walkTar(
  reader: ByteReader,
  name: string,
  visit: (member: TarMember) => void | boolean | Promise<void | boolean>,
): Promise<void> {
  let ex: HeaderData | undefined
  let gex: HeaderData | undefined
  let exXattrs: Record<string, string> | undefined
  let longPath: string | undefined
  let longLink: string | undefined
  for (let members = 1; ; members++) {
    if (members % MEMBERS_PER_TURN === 0) await new Promise(setImmediate)
    const headerOffset = reader.position
    const block = reader.readNow(BLOCK) ?? (await reader.read(BLOCK))
    if (block.length === 0) {
      if (headerOffset === 0) throw new InputError(`${name}: empty file, not a tar archive`)
      throw new InputError(
        `${name}: truncated tar (it ends at offset ${headerOffset} without the end-of-archive blocks)`,
      )
    }
    if (block.length < BLOCK)
      throw new InputError(`${name}: truncated tar (a header at offset ${headerOffset} is cut short)`)
    let header: FastHeader
    try {
      header = (ex || gex ? undefined : decodeFast(block)) ?? nodeTarHeader(block, ex, gex)
    } catch (error) {
      // node-tar's own Error for a base-256 number past 2^53: a block that is no header says that first
      if (!checksumValid(block)) throw badChecksum(name, headerOffset)
      throw new InputError(`${name}: corrupt tar header at offset ${headerOffset} (${(error as Error).message})`)
    }
    if (header.nullBlock) {
      if (headerOffset === 0) {
        const next = await reader.peek(BLOCK)
        if (next.length > 0 && !next.every((b) => b === 0)) throw new InputError(`${name}: not a tar archive`)
      }
      return
    }
    if (!header.cksumValid) throw badChecksum(name, headerOffset)
    const size = header.size
    if (size < 0 || !Number.isSafeInteger(size))
      throw new InputError(`${name}: corrupt tar header at offset ${headerOffset} (size)`)
    const body = new LimitedReader(reader, size)
    const typeName = header.type as string
    if (
      typeName === 'ExtendedHeader' ||
      typeName === 'GlobalExtendedHeader' ||
      typeName === 'NextFileHasLongPath' ||
      typeName === 'NextFileHasLongLinkpath' ||
      typeName === 'OldGnuLongPath'
    ) {
      if (size > MAX_META_BODY)
        throw new InputError(`${name}: ${typeName} header at offset ${headerOffset} is too large (${size} bytes)`)
      const data = await body.read(size)
      if (data.length < size)
        throw new InputError(`${name}: truncated tar (inside the header at offset ${headerOffset})`)
      await skip(reader, paddingLength(size), name, 'padding')
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
    let result = visit({header: tarHeader, body})
    if (result instanceof Promise) result = await result
    if (result === false) return
    const skipping = skip(body, body.remaining, name, `content of ${tarHeader.path}`)
    if (skipping) await skipping
    const padded = skip(reader, paddingLength(size), name, 'padding')
    if (padded) await padded
  }
}

/** A block whose checksum is wrong: no tar at all when it is the first. */
function badChecksum(name: string, offset: number): InputError {
  return new InputError(
    offset === 0 ? `${name}: not a tar archive` : `${name}: corrupt tar header at offset ${offset} (bad checksum)`,
  )
}

/** The zero bytes that pad a member's content of `size` bytes to a whole 512-byte block. */
export function paddingLength(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

/** Skips `n` bytes; a promise only when that means waiting for data. A short skip is a truncated tar. */
function skip(reader: ByteReader, n: number, name: string, what: string): Promise<void> | undefined {
  if (n === 0) return undefined
  const check = (passed: number) => {
    if (passed < n)
      throw new InputError(
        `${name}: truncated tar (inside the ${what}${what === 'padding' ? ` after offset ${reader.position}` : ''})`,
      )
  }
  const passed = reader.skipNow(n)
  if (passed === undefined) return reader.skip(n).then(check)
  check(passed)
  return undefined
}

/** `walkTar` as an async iterable, for a consumer that pulls (a generator yielding members' bytes). */
export async function* tarMembers(reader: ByteReader, name: string): AsyncGenerator<TarMember> {
  let deliver!: (member: TarMember | undefined) => void
  let next = new Promise<TarMember | undefined>((resolve) => {
    deliver = resolve
  })
  let resume: ((more: boolean) => void) | undefined
  let failure: unknown
  const walking = walkTar(
    reader,
    name,
    (member) =>
      new Promise<boolean>((resolve) => {
        resume = resolve
        deliver(member)
      }),
  ).then(
    () => deliver(undefined),
    (error: unknown) => {
      failure = error
      deliver(undefined)
    },
  )
  try {
    for (;;) {
      const member = await next
      if (!member) break
      next = new Promise((resolve) => {
        deliver = resolve
      })
      yield member
      resume?.(true)
    }
  } finally {
    resume?.(false) // the consumer stopped early: end the walk
    await walking
  }
  if (failure) throw failure
}
