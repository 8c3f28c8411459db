// A small HTTP proxy in front of a test registry, on loopback, that the tests steer into faults: a blob cut
// mid-stream, a byte changed, an answer replaced, a status, a redirect to "blob storage" on another host name, an
// answer held back. It also serves as a forward proxy (CONNECT) for HTTPS_PROXY, and logs every request.
import {createServer, request as httpRequest, type IncomingMessage, type ServerResponse} from 'node:http'
import {connect, type Socket} from 'node:net'

import {requirePrerequisites} from './prerequisites.js'
import {startRegistry, type TestRegistry} from './registry.js'

export type Fault =
  /** Forward, but close the connection after this many bytes of the body. */
  | {cut: number}
  /** Forward with the body's byte at this offset changed. */
  | {corrupt: number}
  /** Answer this instead of the registry. */
  | {status: number; headers?: Record<string, string>; body?: string}
  /** Answer 307 to the same path under /storage on `localhost` (another host name for the same proxy). */
  | {redirect: true}
  /** Never answer. */
  | {hold: true}

export interface LoggedRequest {
  method: string
  path: string
  authorization?: string
  range?: string
  /** The host the request was sent to (the Host header). */
  host?: string
  contentRange?: string
  /** The registry's answer, once forwarded. */
  status?: number
}

export interface RegistryProxy {
  /** `127.0.0.1:PORT`: name images `docker://HOST/…` to go through the proxy. */
  host: string
  port: number
  requests: LoggedRequest[]
  /** CONNECT targets asked of the proxy as a forward proxy. */
  tunnels: string[]
  /** Decides, per request, whether it meets a fault. */
  fault: (request: LoggedRequest) => Fault | undefined
  /** Credentials the /storage side adds on its way to the registry (a storage service has its own). */
  storageAuthorization?: string
  stop(): Promise<void>
}

export async function startRegistryProxy(target: string): Promise<RegistryProxy> {
  const [targetHost, targetPort] = target.split(':')
  const sockets = new Set<Socket>()
  const held: ServerResponse[] = []
  const proxy: RegistryProxy = {
    host: '',
    port: 0,
    requests: [],
    tunnels: [],
    fault: () => undefined,
    stop: async () => {
      for (const response of held) response.destroy()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    fault: Fault | undefined,
    logged: LoggedRequest,
  ) => {
    const headers = {...req.headers}
    if (path !== req.url && proxy.storageAuthorization) headers.authorization = proxy.storageAuthorization
    const upstream = httpRequest(
      {host: targetHost, port: Number(targetPort), method: req.method, path, headers},
      (answer) => {
        logged.status = answer.statusCode
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        let sent = 0
        let cut = false
        answer.on('data', (chunk: Buffer) => {
          if (fault && 'cut' in fault && sent + chunk.length >= fault.cut) {
            if (cut) return
            cut = true
            answer.destroy()
            const room = fault.cut - sent
            sent += room
            if (room === 0) return res.socket?.destroy()
            return res.write(chunk.subarray(0, room), () => res.socket?.destroy())
          }
          if (fault && 'corrupt' in fault && fault.corrupt >= sent && fault.corrupt < sent + chunk.length) {
            chunk = Buffer.from(chunk)
            chunk[fault.corrupt - sent] ^= 0xff
          }
          sent += chunk.length
          res.write(chunk)
        })
        answer.on('end', () => cut || res.end())
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }
  const server = createServer((req, res) => {
    const logged: LoggedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization ? {authorization: req.headers.authorization} : {}),
      ...(req.headers.range ? {range: req.headers.range} : {}),
      ...(req.headers.host ? {host: req.headers.host} : {}),
      ...(req.headers['content-range'] ? {contentRange: req.headers['content-range']} : {}),
    }
    proxy.requests.push(logged)
    if (logged.path.startsWith('/storage/'))
      return forward(req, res, logged.path.slice('/storage'.length), undefined, logged)
    const fault = proxy.fault(logged)
    if (fault && 'hold' in fault) {
      held.push(res)
      return
    }
    if (fault && 'redirect' in fault) {
      res.writeHead(307, {location: `http://localhost:${proxy.port}/storage${logged.path}`})
      return res.end()
    }
    if (fault && 'status' in fault) {
      req.resume()
      res.writeHead(fault.status, fault.headers ?? {})
      return res.end(fault.body ?? '')
    }
    forward(req, res, logged.path, fault, logged)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // as a forward proxy: tunnel CONNECT HOST:PORT
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.tunnels.push(req.url ?? '')
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as {port: number}).port
  proxy.host = `127.0.0.1:${proxy.port}`
  return proxy
}

/** A suite's registry and the proxy in front of it, both set once the suite's before() hooks have run. */
export interface ProxiedRegistry {
  registry: TestRegistry
  proxy: RegistryProxy
}

/**
 * Called in a describe(): starts Debian's docker-registry and a proxy in front of it for the suite, in a before()
 * that skips (or, in CI, fails) the suite when the registry suite's prerequisites are missing; each test starts
 * with an empty request log and no fault; after() stops both.
 */
export function proxiedRegistry(): ProxiedRegistry {
  const served = {} as Partial<ProxiedRegistry>
  before(async function () {
    requirePrerequisites(this, 'registry')
    served.registry = await startRegistry()
    served.proxy = await startRegistryProxy(served.registry.host)
  })
  beforeEach(() => {
    if (!served.proxy) return
    served.proxy.requests.length = 0
    served.proxy.fault = () => undefined
  })
  after(async () => {
    await served.proxy?.stop()
    await served.registry?.stop()
  })
  return served as ProxiedRegistry
}
