// The load generator's HTTP/1.1 client: keep-alive connections over plain sockets, one request at a time on
// each, at most `maxSockets` of them. node:http's client (Agent, ClientRequest, IncomingMessage, header
// objects, a socket timer per request) cost 0.16-0.19 ms of CPU per request at 800 requests/s on the
// 2-core benchmark machine; this one 0.085-0.09 ms (2026-12-04, 1.5 KB bodies, 64 connections). The
// benchmark counts the load generator's CPU in the platform's CPU per declaration, so its client has to be
// cheap. It reads what a JSON API answers: a status line, headers, and a body framed by Content-Length or
// chunked, or ended by the server closing the connection.
import { connect, type Socket } from 'node:net';

/** The response's status code, or why there is none. */
export type HttpResult = number | 'error' | 'timeout';

export interface KeepAliveClientOptions {
  host: string;
  port: number;
  maxSockets: number;
  /** A request not answered within this long fails as 'timeout' and its connection is closed. */
  timeoutMs: number;
}

interface Pending {
  /** The whole request: head and body, written at once. */
  bytes: Buffer;
  done: (result: HttpResult) => void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** One connection: writes a request, parses its response, then is free for the next one. */
class Connection {
  private readonly socket: Socket;
  private buffered: Buffer | null = null;
  private current: { done: (result: HttpResult) => void; startedAt: number } | null = null;
  /** The response being read: its status, and how its body ends. */
  private status = 0;
  private framing:
    | { kind: 'length'; end: number }
    | { kind: 'chunked'; offset: number }
    | { kind: 'close' }
    | null = null;
  private keepAlive = true;
  private closed = false;

  constructor(
    options: KeepAliveClientOptions,
    private readonly onFree: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.socket = connect(options.port, options.host);
    this.socket.setNoDelay(true);
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('error', () => undefined); // 'close' follows and settles what was in flight
    this.socket.on('close', () => this.onClose());
  }

  get busySince(): number | undefined {
    return this.current?.startedAt;
  }

  send(request: Pending, now: number): void {
    this.current = { done: request.done, startedAt: now };
    this.socket.write(request.bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Fails the request in flight with `result` and closes the connection. */
  fail(result: HttpResult): void {
    const current = this.current;
    this.current = null;
    this.destroy();
    current?.done(result);
  }

  private onData(data: Buffer): void {
    if (!this.current) {
      this.destroy(); // bytes nobody asked for: the connection cannot be trusted any more
      return;
    }
    this.buffered = this.buffered ? Buffer.concat([this.buffered, data]) : data;
    if (!this.framing && !this.readHead()) return;
    if (this.bodyComplete()) this.finish();
  }

  /** Parses the status line and headers once they are all there. False while they are not. */
  private readHead(): boolean {
    const buf = this.buffered!;
    const end = buf.indexOf(CRLFCRLF);
    if (end < 0) return false;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!statusLine) {
      this.fail('error');
      return false;
    }
    this.status = Number(statusLine[1]);
    let length: number | undefined;
    let chunked = false;
    this.keepAlive = lines[0]!.startsWith('HTTP/1.1');
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').pop()!.trim() === 'chunked';
      else if (name === 'connection') this.keepAlive = value !== 'close';
    }
    const bodyStart = end + CRLFCRLF.length;
    this.buffered = buf.subarray(bodyStart);
    if (chunked) this.framing = { kind: 'chunked', offset: 0 };
    else if (length !== undefined && Number.isSafeInteger(length) && length >= 0)
      this.framing = { kind: 'length', end: length };
    else if (this.status === 204 || this.status === 304) this.framing = { kind: 'length', end: 0 };
    else this.framing = { kind: 'close' };
    return true;
  }

  private bodyComplete(): boolean {
    const framing = this.framing!;
    const buf = this.buffered!;
    if (framing.kind === 'length') return buf.length >= framing.end;
    if (framing.kind === 'close') return false; // ends with the connection
    // Chunked: walk the chunks that are complete; done at the zero-size chunk and its trailer's end.
    let offset = framing.offset;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', offset, 'latin1');
      if (lineEnd < 0) return false;
      const size = parseInt(buf.toString('latin1', offset, lineEnd), 16);
      if (!Number.isSafeInteger(size) || size < 0) {
        this.fail('error');
        return false;
      }
      if (size === 0) {
        if (buf.indexOf(CRLFCRLF, lineEnd, 'latin1') === lineEnd) return true; // no trailer
        return buf.indexOf(CRLFCRLF, lineEnd + 2, 'latin1') >= 0;
      }
      const next = lineEnd + 2 + size + 2;
      if (buf.length < next) return false;
      offset = framing.offset = next;
    }
  }

  private finish(): void {
    const current = this.current!;
    const status = this.status;
    this.current = null;
    this.buffered = null;
    this.framing = null;
    if (this.keepAlive) this.onFree(this);
    else this.destroy();
    current.done(status);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    const current = this.current;
    this.current = null;
    this.onGone(this);
    if (!current) return;
    // A body framed by the connection ends here; anything else cut short is an error.
    current.done(this.framing?.kind === 'close' ? this.status : 'error');
  }
}

/**
 * POSTs (or any method) with a fixed set of headers over at most `maxSockets` keep-alive connections;
 * requests beyond that wait in order for a free connection.
 */
export class KeepAliveClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Pending[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: KeepAliveClientOptions) {
    // One timer for every request's timeout, not one per request.
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, options.timeoutMs)).unref();
  }

  /** Connections open now (busy or idle). */
  get sockets(): number {
    return this.all.size;
  }

  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    done: (result: HttpResult) => void,
  ): void {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.options.host}:${this.options.port}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    // Header names and values are ASCII, so the head encodes the same in UTF-8 as the body does.
    this.waiting.push({ bytes: Buffer.from(head + body), done });
    this.pump();
  }

  /** Closes every connection; requests in flight fail with 'error', waiting ones are dropped. */
  close(): void {
    clearInterval(this.sweeper);
    this.waiting.length = 0;
    for (const c of [...this.all]) c.fail('error');
  }

  private pump(): void {
    while (this.waiting.length) {
      let connection = this.idle.pop();
      if (!connection) {
        if (this.all.size >= this.options.maxSockets) return;
        connection = new Connection(
          this.options,
          (c) => {
            this.idle.push(c);
            this.pump();
          },
          (c) => {
            this.all.delete(c);
            const at = this.idle.indexOf(c);
            if (at >= 0) this.idle.splice(at, 1);
            this.pump();
          },
        );
        this.all.add(connection);
      }
      connection.send(this.waiting.shift()!, Date.now());
    }
  }

  private sweep(): void {
    const limit = Date.now() - this.options.timeoutMs;
    for (const c of this.all) {
      const since = c.busySince;
      if (since !== undefined && since <= limit) c.fail('timeout');
    }
  }
}
