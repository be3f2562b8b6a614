/**
 * Verifies that a declared document's content matches its declared sha256.
 *
 * Customs systems hand us a `uri` per document, so fetching it is an SSRF risk. Every uri (and every
 * redirect target) passes the same policy before anything is opened or contacted:
 *
 * - `file:` only inside `fileRoot` (after symlinks are resolved), never from a redirect;
 * - `https:` (and `http:` only when `allowHttp`) only to hosts on `allowedHosts`;
 * - no credentials in the uri, no other scheme;
 * - unless `allowPrivateAddresses`, no loopback / private / link-local / CGNAT / unique-local / reserved
 *   address, checked on IP literals before connecting and on DNS answers inside the socket's own `lookup`,
 *   so the address connected to is the address checked (no DNS-rebinding window).
 *
 * The body is streamed through sha256 and never kept, logged or returned. A document larger than
 * `maxBytes` is NOT_ALLOWED ("document larger than N bytes"): it is a policy limit, retrying cannot help,
 * and it is never MATCH. Error strings name at most the uri's scheme, host and path (no query, no
 * credentials, no resolved addresses, no content).
 *
 * `verifyDocument` never rejects: every failure is a result.
 */
import { createHash } from 'node:crypto';
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FetchPolicy {
  /** Absolute directory; `file:` uris are allowed only inside it (symlinks resolved, no `../` escapes). */
  fileRoot?: string;
  /** Exact host names or `*.example.com` patterns (subdomains only, not `example.com` itself). */
  allowedHosts: string[];
  /** Default false: refuse loopback, RFC1918, link-local, CGNAT, unique-local, reserved addresses. */
  allowPrivateAddresses: boolean;
  /** Default false: https only. */
  allowHttp: boolean;
  maxBytes: number;
  /** The whole verification: every connect, redirect and body read. */
  timeoutMs: number;
  /** Redirects are followed only when the new location passes the same policy. */
  maxRedirects: number;
}

export type DocumentFetchResult =
  | { outcome: 'MATCH'; bytes: number }
  | { outcome: 'MISMATCH'; expected: string; actual: string; bytes: number }
  | { outcome: 'NOT_ALLOWED'; reason: string }
  | { outcome: 'UNREACHABLE'; error: string; transient: boolean };

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 3;

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const READ_CHUNK = 64 * 1024;

// ---------------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------------

function parseIPv4(text: string): number | null {
  if (net.isIPv4(text) === false) return null;
  const parts = text.split('.').map(Number);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** 16 bytes, or null when not an IPv6 address. A zone id (`%eth0`) is ignored. */
function parseIPv6(text: string): Uint8Array | null {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!net.isIPv6(s)) return null;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  let groups: string[];
  const halves = s.split('::');
  if (halves.length === 2) {
    const head = halves[0] ? halves[0].split(':') : [];
    const rest = halves[1] ? halves[1].split(':') : [];
    groups = [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  } else {
    groups = s.split(':');
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

function cidr4(base: string, prefix: number): [number, number] {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [((parseIPv4(base) as number) & mask) >>> 0, mask];
}

/** IPv4 ranges that are not the public internet (IANA special-purpose registry, roughly). */
const NON_PUBLIC_V4: [number, number][] = [
  cidr4('0.0.0.0', 8), // "this network"; 0.0.0.0 reaches the local host
  cidr4('10.0.0.0', 8), // RFC1918
  cidr4('100.64.0.0', 10), // CGNAT
  cidr4('127.0.0.0', 8), // loopback
  cidr4('169.254.0.0', 16), // link-local, incl. cloud metadata 169.254.169.254
  cidr4('172.16.0.0', 12), // RFC1918
  cidr4('192.0.0.0', 24), // IETF protocol assignments
  cidr4('192.0.2.0', 24), // TEST-NET-1
  cidr4('192.88.99.0', 24), // 6to4 relay anycast
  cidr4('192.168.0.0', 16), // RFC1918
  cidr4('198.18.0.0', 15), // benchmarking
  cidr4('198.51.100.0', 24), // TEST-NET-2
  cidr4('203.0.113.0', 24), // TEST-NET-3
  cidr4('224.0.0.0', 4), // multicast
  cidr4('240.0.0.0', 4), // reserved, incl. broadcast
];

function isPublicIPv4(v4: number): boolean {
  return !NON_PUBLIC_V4.some(([base, mask]) => (v4 & mask) >>> 0 === base);
}

function embeddedV4(b: Uint8Array, offset: number): number {
  return ((b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3]) >>> 0;
}

function isPublicIPv6(b: Uint8Array): boolean {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // ::/96 — unspecified ::, loopback ::1 and the deprecated IPv4-compatible ::a.b.c.d
  if (zeros(0, 12)) return false;
  // ::ffff:0:0/96 — IPv4-mapped: judged by the IPv4 address
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return isPublicIPv4(embeddedV4(b, 12));
  // 64:ff9b::/96 — NAT64 well-known prefix: judged by the IPv4 address it translates to
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12))
    return isPublicIPv4(embeddedV4(b, 12));
  // 64:ff9b:1::/48 — local-use NAT64
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b[4] === 0 && b[5] === 1)
    return false;
  // 2002::/16 — 6to4: judged by the embedded IPv4 address
  if (b[0] === 0x20 && b[1] === 0x02) return isPublicIPv4(embeddedV4(b, 2));
  // 2001::/32 — Teredo (tunnels to an obfuscated IPv4); 2001:db8::/32 — documentation
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3] === 0x00) return false;
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return false;
  // 100::/64 — discard-only
  if (b[0] === 0x01 && b[1] === 0x00 && zeros(2, 8)) return false;
  if ((b[0] & 0xfe) === 0xfc) return false; // fc00::/7 unique-local
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return false; // fe80::/10 link-local
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return false; // fec0::/10 site-local (deprecated)
  if (b[0] === 0xff) return false; // ff00::/8 multicast
  return true;
}

/**
 * Whether an IP address (v4 or v6, with or without brackets) is on the public internet. Anything that
 * does not parse as an address is not public.
 */
export function isPublicAddress(address: string): boolean {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseIPv4(text);
  if (v4 !== null) return isPublicIPv4(v4);
  const v6 = parseIPv6(text);
  if (v6 !== null) return isPublicIPv6(v6);
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Policy checks
// ---------------------------------------------------------------------------------------------------

/** Raised inside the socket's lookup when a name resolves to an address the policy refuses. */
class PolicyViolation extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PolicyViolation';
  }
}

class TimedOut extends Error {
  constructor() {
    super('timed out');
    this.name = 'TimedOut';
  }
}

/** What an error string may show of a uri: scheme, host and path — never credentials or the query. */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** Exact names, or `*.example.com` matching any subdomain of example.com (not example.com itself). */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = normalizeHost(hostname);
  if (!host) return false;
  return allowedHosts.some((entry) => {
    const pattern = normalizeHost(entry);
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1); // ".example.com"
      return (
        suffix.length > 1 &&
        !suffix.slice(1).includes('*') &&
        host.endsWith(suffix) &&
        host.length > suffix.length
      );
    }
    return pattern !== '' && !pattern.includes('*') && host === pattern;
  });
}

/** The http(s) part of the policy, applied to the first uri and to every redirect target. */
function checkNetworkUrl(url: URL, policy: FetchPolicy, isPublic: (ip: string) => boolean): string | null {
  const where = describe(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol} is not allowed`;
  if (url.username || url.password) return `credentials in the uri are not allowed: ${where}`;
  if (url.protocol === 'http:' && !policy.allowHttp) return `plain http is not allowed: ${where}`;
  if (!hostAllowed(url.hostname, policy.allowedHosts)) return `host is not on the allowlist: ${where}`;
  const literal = normalizeHost(url.hostname);
  if (net.isIP(literal) !== 0 && !policy.allowPrivateAddresses && !isPublic(literal))
    return `non-public address is not allowed: ${where}`;
  return null;
}

/**
 * A `lookup` for the socket itself: resolves the name and refuses the connection when any answer is a
 * non-public address (unless allowed). Node connects to what this returns, so what is checked is what
 * is connected to — a second, different DNS answer cannot slip in between check and connect.
 */
function guardedLookup(policy: FetchPolicy, isPublic: (ip: string) => boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    const literal = normalizeHost(hostname);
    if (net.isIP(literal) !== 0) {
      // Node skips lookup for literals; kept in case a caller passes one through anyway.
      if (!policy.allowPrivateAddresses && !isPublic(literal)) {
        callback(new PolicyViolation(`${hostname} is a non-public address`), '');
        return;
      }
    }
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) {
        callback(err, '');
        return;
      }
      if (addresses.length === 0) {
        const none: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
        none.code = 'ENOTFOUND';
        callback(none, '');
        return;
      }
      if (!policy.allowPrivateAddresses && addresses.some((a) => !isPublic(a.address))) {
        // Refuse the name outright rather than picking its public answers: a public name that also
        // answers with a private address is suspect.
        callback(new PolicyViolation(`${hostname} resolves to a non-public address`), '');
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

// ---------------------------------------------------------------------------------------------------
// Fetching
// ---------------------------------------------------------------------------------------------------

interface Run {
  policy: FetchPolicy;
  expected: string;
  signal: AbortSignal;
  isPublic: (ip: string) => boolean;
}

function notAllowed(reason: string): DocumentFetchResult {
  return { outcome: 'NOT_ALLOWED', reason };
}

function unreachable(error: string, transient: boolean): DocumentFetchResult {
  return { outcome: 'UNREACHABLE', error, transient };
}

function tooLarge(maxBytes: number): DocumentFetchResult {
  return notAllowed(`document larger than ${maxBytes} bytes`);
}

function abortedResult(run: Run, where: string): DocumentFetchResult {
  return run.signal.reason instanceof TimedOut
    ? unreachable(`timed out after ${run.policy.timeoutMs} ms: ${where}`, true)
    : unreachable(`aborted: ${where}`, true);
}

function verdict(run: Run, actual: string, bytes: number): DocumentFetchResult {
  return actual === run.expected
    ? { outcome: 'MATCH', bytes }
    : { outcome: 'MISMATCH', expected: run.expected, actual, bytes };
}

const TLS_CERT_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function networkFailure(error: unknown, where: string): DocumentFetchResult {
  if (error instanceof PolicyViolation) return notAllowed(`${error.reason}: ${where}`);
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
  // A certificate that does not verify will not verify on the next attempt either.
  if (TLS_CERT_ERRORS.has(code)) return unreachable(`TLS certificate rejected (${code}): ${where}`, false);
  return unreachable(`connection failed (${code}): ${where}`, true);
}

type Hop = { redirect: URL } | { result: DocumentFetchResult };

function requestOnce(url: URL, run: Run): Promise<Hop> {
  const where = describe(url);
  return new Promise<Hop>((resolve) => {
    let done = false;
    let req: http.ClientRequest | undefined;
    const finish = (hop: Hop) => {
      if (done) return;
      done = true;
      run.signal.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(hop);
    };
    const onAbort = () => finish({ result: abortedResult(run, where) });
    if (run.signal.aborted) return onAbort();
    run.signal.addEventListener('abort', onAbort, { once: true });

    const options: https.RequestOptions = {
      method: 'GET',
      agent: false, // a fresh connection per request: every connection goes through guardedLookup
      lookup: guardedLookup(run.policy, run.isPublic),
      headers: {
        accept: '*/*',
        'accept-encoding': 'identity',
        'user-agent': 'green-channel-document-verifier',
      },
      rejectUnauthorized: true, // regardless of NODE_TLS_REJECT_UNAUTHORIZED
    };
    try {
      req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', (error) => finish({ result: networkFailure(error, where) }));
        if (REDIRECT_STATUSES.has(status)) {
          const location = res.headers.location;
          if (!location)
            return finish({ result: unreachable(`redirect ${status} without location: ${where}`, false) });
          try {
            return finish({ redirect: new URL(location, url) });
          } catch {
            return finish({
              result: unreachable(`redirect ${status} to an invalid location: ${where}`, false),
            });
          }
        }
        if (status < 200 || status > 299) {
          // 408 / 429 / 5xx may pass; 404, 410 and other 4xx or 3xx will not on a retry.
          const transient = status === 408 || status === 429 || status >= 500;
          return finish({ result: unreachable(`HTTP ${status}: ${where}`, transient) });
        }
        const maxBytes = run.policy.maxBytes;
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) return finish({ result: tooLarge(maxBytes) });
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (done) return;
          bytes += chunk.length;
          if (bytes > maxBytes) return finish({ result: tooLarge(maxBytes) });
          hash.update(chunk);
        });
        res.on('end', () => {
          if (!res.complete) return finish({ result: unreachable(`body cut short: ${where}`, true) });
          finish({ result: verdict(run, hash.digest('hex'), bytes) });
        });
        res.on('close', () => finish({ result: unreachable(`body cut short: ${where}`, true) }));
      });
    } catch (error) {
      return finish({ result: networkFailure(error, where) });
    }
    req.on('error', (error) => finish({ result: networkFailure(error, where) }));
    req.end();
  });
}

async function fetchNetwork(first: URL, run: Run): Promise<DocumentFetchResult> {
  let url = first;
  for (let redirects = 0; ; redirects++) {
    const refused = checkNetworkUrl(url, run.policy, run.isPublic);
    if (refused) return notAllowed(redirects === 0 ? refused : `redirect refused: ${refused}`);
    const hop = await requestOnce(url, run);
    if ('result' in hop) return hop.result;
    if (redirects >= run.policy.maxRedirects)
      return notAllowed(`more than ${run.policy.maxRedirects} redirects: ${describe(first)}`);
    url = hop.redirect;
  }
}

async function fetchFile(url: URL, run: Run): Promise<DocumentFetchResult> {
  const where = describe(url);
  const root = run.policy.fileRoot;
  if (!root) return notAllowed(`file uris are not allowed (no file root): ${where}`);
  if (!path.isAbsolute(root)) return notAllowed('file root is not an absolute path');
  if (url.username || url.password) return notAllowed(`credentials in the uri are not allowed: ${where}`);
  if (url.host !== '' && url.host !== 'localhost')
    return notAllowed(`remote file uris are not allowed: ${where}`);
  let requested: string;
  try {
    requested = path.resolve(fileURLToPath(url));
  } catch {
    return notAllowed(`invalid file path: ${where}`);
  }
  if (requested.includes('\0')) return notAllowed(`invalid file path: ${where}`);
  // The URL parser already folds `..`; this also refuses anything outside the root as written, before
  // the file system is asked anything about it.
  if (!isInside(path.resolve(root), requested)) return notAllowed(`outside the file root: ${where}`);

  let realRoot: string;
  let realTarget: string;
  try {
    realRoot = await fs.promises.realpath(root);
  } catch {
    return unreachable('file root is not accessible', true);
  }
  try {
    realTarget = await fs.promises.realpath(requested);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    if (code === 'ENOENT' || code === 'ENOTDIR') return unreachable(`no such file: ${where}`, false);
    if (code === 'ELOOP') return notAllowed(`symlink loop: ${where}`);
    return unreachable(`file not accessible (${code}): ${where}`, code !== 'EACCES');
  }
  if (!isInside(realRoot, realTarget)) return notAllowed(`outside the file root (symlink): ${where}`);

  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
  let handle: fs.promises.FileHandle;
  try {
    // O_NOFOLLOW: the last component cannot have been swapped for a symlink since realpath;
    // O_NONBLOCK: a FIFO cannot hang the open (it is refused below as not a regular file).
    handle = await fs.promises.open(realTarget, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    if (code === 'ENOENT') return unreachable(`no such file: ${where}`, false);
    if (code === 'ELOOP') return notAllowed(`outside the file root (symlink): ${where}`);
    return unreachable(`file not accessible (${code}): ${where}`, code !== 'EACCES');
  }
  try {
    // Where the open file really is (Linux): catches a directory swapped for a symlink after realpath.
    const opened = await fs.promises.readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (opened !== null && path.isAbsolute(opened) && !isInside(realRoot, opened))
      return notAllowed(`outside the file root (symlink): ${where}`);
    const stat = await handle.stat();
    if (!stat.isFile()) return notAllowed(`not a regular file: ${where}`);
    const maxBytes = run.policy.maxBytes;
    if (stat.size > maxBytes) return tooLarge(maxBytes);
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(READ_CHUNK);
    let bytes = 0;
    for (;;) {
      if (run.signal.aborted) return abortedResult(run, where);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      if (bytes > maxBytes) return tooLarge(maxBytes); // the file grew while being read
      hash.update(buffer.subarray(0, bytesRead));
    }
    if (run.signal.aborted) return abortedResult(run, where);
    return verdict(run, hash.digest('hex'), bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    return unreachable(`file read failed (${code}): ${where}`, true);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export interface DocumentVerifierOptions {
  /** Which addresses count as public. Tests swap it to treat a local server as "public". */
  isPublicAddress?: (address: string) => boolean;
}

export type VerifyDocument = (
  uri: string,
  expectedSha256: string,
  policy: FetchPolicy,
  signal?: AbortSignal,
) => Promise<DocumentFetchResult>;

export function createDocumentVerifier(options: DocumentVerifierOptions = {}): VerifyDocument {
  const isPublic = options.isPublicAddress ?? isPublicAddress;
  return async (uri, expectedSha256, policy, signal) => {
    if (!SHA256_HEX.test(expectedSha256))
      return notAllowed('declared sha256 is not 64 hexadecimal characters');
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return notAllowed('uri is not a valid absolute uri');
    }
    if (url.username || url.password)
      return notAllowed(`credentials in the uri are not allowed: ${describe(url)}`);
    if (url.protocol !== 'file:' && url.protocol !== 'http:' && url.protocol !== 'https:')
      return notAllowed(`scheme ${url.protocol} is not allowed`);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimedOut()), Math.max(0, policy.timeoutMs));
    const onCallerAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onCallerAbort();
    else signal?.addEventListener('abort', onCallerAbort, { once: true });
    const run: Run = { policy, expected: expectedSha256.toLowerCase(), signal: controller.signal, isPublic };
    try {
      return url.protocol === 'file:' ? await fetchFile(url, run) : await fetchNetwork(url, run);
    } catch (error) {
      // Not expected; still a result rather than a rejection, and without the error's own text.
      const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
      return unreachable(`verification failed (${code}): ${describe(url)}`, true);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  };
}

/**
 * Fetches `uri` under `policy` and compares its sha256 with `expectedSha256` (hex, any case). A
 * malformed `expectedSha256` is NOT_ALLOWED without fetching anything. A caller's abort is UNREACHABLE
 * transient, like a timeout.
 */
export const verifyDocument: VerifyDocument = createDocumentVerifier();

// ---------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------

export interface DocumentFetchEnv {
  DOCUMENT_FILE_ROOT?: string;
  /** Comma-separated host names and `*.example.com` patterns. */
  DOCUMENT_ALLOWED_HOSTS?: string;
  DOCUMENT_ALLOW_PRIVATE?: string;
  DOCUMENT_ALLOW_HTTP?: string;
  DOCUMENT_MAX_BYTES?: string;
  DOCUMENT_TIMEOUT_MS?: string;
}

function flag(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  throw new Error(`${name}: expected true or false`);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  const v = (value ?? '').trim();
  if (v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v)))
    throw new Error(`${name}: expected a positive whole number`);
  return Number(v);
}

/**
 * Safe defaults: no file root, no hosts, no private addresses, https only, 20 MiB, 10 s, 3 redirects.
 * Empty values count as unset. Throws (naming the variable) on a value it cannot read, rather than
 * guessing.
 */
export function fetchPolicyFromEnv(env: DocumentFetchEnv): FetchPolicy {
  const root = (env.DOCUMENT_FILE_ROOT ?? '').trim();
  if (root !== '' && !path.isAbsolute(root)) throw new Error('DOCUMENT_FILE_ROOT: expected an absolute path');
  const allowedHosts = (env.DOCUMENT_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => normalizeHost(h))
    .filter((h) => h !== '');
  const bad = allowedHosts.find((h) => h.includes('*') && !/^\*\.[^*]+$/.test(h));
  if (bad !== undefined) throw new Error('DOCUMENT_ALLOWED_HOSTS: wildcards only as a leading "*." label');
  return {
    ...(root !== '' ? { fileRoot: path.resolve(root) } : {}),
    allowedHosts,
    allowPrivateAddresses: flag('DOCUMENT_ALLOW_PRIVATE', env.DOCUMENT_ALLOW_PRIVATE),
    allowHttp: flag('DOCUMENT_ALLOW_HTTP', env.DOCUMENT_ALLOW_HTTP),
    maxBytes: positiveInt('DOCUMENT_MAX_BYTES', env.DOCUMENT_MAX_BYTES, DEFAULT_MAX_BYTES),
    timeoutMs: positiveInt('DOCUMENT_TIMEOUT_MS', env.DOCUMENT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
    maxRedirects: DEFAULT_MAX_REDIRECTS,
  };
}
