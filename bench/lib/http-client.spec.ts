import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { KeepAliveClient, type HttpResult } from './http-client';

function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function send(client: KeepAliveClient, body = '{"a":1}', path = '/v1/declarations'): Promise<HttpResult> {
  return new Promise((resolve) =>
    client.request('POST', path, { 'content-type': 'application/json' }, body, resolve),
  );
}

/** A raw TCP server that answers each request's bytes with `reply(requestText, socket)`. */
async function rawServer(
  reply: (request: string, socket: Socket) => void,
): Promise<{ port: number; server: Server }> {
  const server = createTcpServer((socket) => {
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length < end + 4 + length) return;
      const request = text.slice(0, end + 4 + length);
      text = text.slice(end + 4 + length);
      reply(request, socket);
    });
  });
  return { port: await listen(server), server };
}

describe('KeepAliveClient (the load generator HTTP client)', () => {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  it('sends method, path, headers and body, and reads the status of Content-Length responses over reused connections', async () => {
    const seen: Array<{ method?: string; url?: string; type?: string; body: string; socket: unknown }> = [];
    const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          type: req.headers['content-type'],
          body,
          socket: req.socket,
        });
        res.writeHead(seen.length % 2 ? 202 : 422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ n: seen.length, pad: 'x'.repeat(5000) }));
      });
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new KeepAliveClient({ host: '127.0.0.1', port, maxSockets: 2, timeoutMs: 5000 });
    closers.push(() => client.close());

    const body = JSON.stringify({ text: 'é ✓ "quoted"', n: 'y'.repeat(3000) });
    const results = await Promise.all(Array.from({ length: 10 }, () => send(client, body)));

    expect(results.filter((r) => r === 202)).toHaveLength(5);
    expect(results.filter((r) => r === 422)).toHaveLength(5);
    expect(seen).toHaveLength(10);
    for (const s of seen) {
      expect(s).toMatchObject({ method: 'POST', url: '/v1/declarations', type: 'application/json', body });
    }
    // Ten requests, at most two connections, kept alive between requests.
    expect(new Set(seen.map((s) => s.socket)).size).toBe(2);
    expect(client.sockets).toBe(2);
  });

  it('reads chunked responses, with or without trailers, split across packets', async () => {
    let n = 0;
    const { port, server } = await rawServer((_request, socket) => {
      n++;
      const trailer = n % 2 === 0 ? 'x-checksum: 1\r\n' : '';
      const parts = [
        'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n',
        '5\r\nhel',
        'lo\r\n6\r\n world\r\n',
        `0\r\n${trailer}`,
        '\r\n',
      ];
      parts.forEach((p, i) => setTimeout(() => socket.write(p), i * 5));
    });
    closers.push(() => server.close());
    const client = new KeepAliveClient({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5000 });
    closers.push(() => client.close());

    expect(await Promise.all([send(client), send(client), send(client)])).toEqual([201, 201, 201]);
    expect(client.sockets).toBe(1);
  });

  it('does not reuse a connection the server closes, and reads a body that ends with the connection', async () => {
    const { port, server } = await rawServer((request, socket) => {
      if (request.includes('/close-after'))
        socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nbody until the end');
    });
    closers.push(() => server.close());
    const client = new KeepAliveClient({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5000 });
    closers.push(() => client.close());

    expect(await send(client, '{}', '/close-after')).toBe(200);
    expect(await send(client, '{}', '/close-after')).toBe(200);
    expect(await send(client, '{}', '/unframed')).toBe(200);
    expect(await send(client, '{}', '/close-after')).toBe(200);
  });

  it("fails a request as 'error' when the connection breaks mid-response or the answer is not HTTP, and carries on", async () => {
    let n = 0;
    const { port, server } = await rawServer((_request, socket) => {
      n++;
      if (n === 1) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort');
      else if (n === 2) socket.end('SSH-2.0-OpenSSH\r\n\r\n');
      else socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    });
    closers.push(() => server.close());
    const client = new KeepAliveClient({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5000 });
    closers.push(() => client.close());

    expect(await send(client)).toBe('error');
    expect(await send(client)).toBe('error');
    expect(await send(client)).toBe(204);
    expect(await send(client)).toBe(204);
  });

  it("fails as 'error' when nothing listens, and as 'timeout' when the server does not answer", async () => {
    const { port: closedPort, server: gone } = await rawServer(() => undefined);
    await new Promise((r) => gone.close(r));
    const refused = new KeepAliveClient({
      host: '127.0.0.1',
      port: closedPort,
      maxSockets: 4,
      timeoutMs: 5000,
    });
    closers.push(() => refused.close());
    expect(await Promise.all([send(refused), send(refused)])).toEqual(['error', 'error']);

    const { port, server } = await rawServer(() => undefined); // reads, never answers
    closers.push(() => server.close());
    const client = new KeepAliveClient({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 150 });
    closers.push(() => client.close());
    const started = Date.now();
    expect(await Promise.all([send(client), send(client)])).toEqual(['timeout', 'timeout']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300); // the second waited for the only connection
  });

  it('never opens more than maxSockets connections; requests beyond that wait in order', async () => {
    const order: number[] = [];
    let open = 0;
    let most = 0;
    const { port, server } = await rawServer((request, socket) => {
      order.push(Number(/"i":(\d+)/.exec(request)?.[1]));
      setTimeout(() => socket.write('HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n'), 5);
    });
    server.on('connection', (s) => {
      open++;
      most = Math.max(most, open);
      s.on('close', () => open--);
    });
    closers.push(() => server.close());
    const client = new KeepAliveClient({ host: '127.0.0.1', port, maxSockets: 3, timeoutMs: 5000 });
    closers.push(() => client.close());

    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => send(client, `{"i":${i}}`)));
    expect(results.every((r) => r === 202)).toBe(true);
    expect(most).toBe(3);
    // Each waiting request goes to the next free connection in the order it was made.
    expect(order.slice(3)).toEqual([...order.slice(3)].sort((a, b) => a - b));
  });
});
