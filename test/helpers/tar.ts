import {Header, Pax} from 'tar'

/** One member of a generated tar. */
export interface Member {
  path: string
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo'
  content?: string | Buffer
  /** Size of a file without giving its bytes (zero-filled). */
  size?: number
  mode?: number
  uid?: number
  gid?: number
  mtime?: number
  linkpath?: string
  uname?: string
  gname?: string
  /** SCHILY.xattr.* pax records. */
  xattrs?: Record<string, string>
  /** Device numbers of a char or block device (0:0 when absent: overlayfs's whiteout). */
  devmajor?: number
  devminor?: number
}

const TYPE = {
  file: 'File',
  dir: 'Directory',
  symlink: 'SymbolicLink',
  hardlink: 'Link',
  char: 'CharacterDevice',
  block: 'BlockDevice',
  fifo: 'FIFO',
} as const

function pad(length: number): Buffer {
  return Buffer.alloc((512 - (length % 512)) % 512)
}

/** A tar archive in memory, written with node-tar's Header and Pax (pax headers for long names). */
export function tarOf(members: Member[], options: {end?: boolean} = {}): Buffer {
  const parts: Buffer[] = []
  for (const m of members) {
    const type = m.type ?? (m.path.endsWith('/') ? 'dir' : 'file')
    const body =
      type === 'file' ? (m.content === undefined ? Buffer.alloc(m.size ?? 0) : Buffer.from(m.content)) : Buffer.alloc(0)
    const data = {
      path: m.path,
      type: TYPE[type],
      size: body.length,
      mode: m.mode ?? (type === 'dir' ? 0o755 : 0o644),
      uid: m.uid ?? 0,
      gid: m.gid ?? 0,
      mtime: new Date((m.mtime ?? 1_700_000_000) * 1000),
      linkpath: m.linkpath ?? '',
      uname: m.uname ?? '',
      gname: m.gname ?? '',
      devmaj: m.devmajor ?? 0,
      devmin: m.devminor ?? 0,
    }
    const header = new Header(data)
    const block = Buffer.alloc(512)
    if (m.xattrs) {
      const records = Object.entries(m.xattrs).map(([key, value]) => {
        const body = ` SCHILY.xattr.${key}=${value}\n`
        let length = Buffer.byteLength(body) + 1
        while (String(length).length + Buffer.byteLength(body) !== length) length++
        return `${length}${body}`
      })
      const paxBody = Buffer.from(records.join(''))
      const paxHeader = Buffer.alloc(512)
      new Header({
        path: 'PaxHeader/x',
        type: 'ExtendedHeader',
        size: paxBody.length,
        mode: 0o644,
        mtime: new Date(0),
      } as never).encode(paxHeader, 0)
      parts.push(paxHeader, paxBody, pad(paxBody.length))
    }
    if (header.encode(block, 0)) {
      const pax = new Pax({path: m.path, linkpath: m.linkpath ?? ''}).encode()
      parts.push(pax)
      const short = new Header({
        ...data,
        path: m.path.replaceAll(/[^\x20-\x7e]/g, '_').slice(-99),
        linkpath: (m.linkpath ?? '').slice(-99),
      })
      short.encode(block, 0)
    }
    parts.push(block, body, pad(body.length))
  }
  if (options.end !== false) parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}
