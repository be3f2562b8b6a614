import { ProblemException } from '@cic/platform-http';
import type { Request } from 'express';

// The import reads its own body: the app leaves bodies unparsed on most routes, and a CSV never goes
// through the JSON parser. When a parser did run (the stream is consumed), its result is used instead.

export type ImportBody = { type: 'csv'; text: string } | { type: 'json'; value: unknown };

const tooLarge = (max: number) =>
  new ProblemException(413, 'BODY_TOO_LARGE', 'Body too large', `the body exceeds ${max} bytes`);

/** The media type without parameters, lower case ('' when absent). */
function mediaType(req: Request): { type: string; charset?: string } {
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';');
  const charset = params
    .map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(p)?.[1])
    .find((c) => c !== undefined);
  return { type: type.trim().toLowerCase(), charset: charset?.toLowerCase() };
}

async function readStream(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume(); // discard, so the connection can answer
    throw tooLarge(max);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > max) {
      req.resume();
      throw tooLarge(max);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

function utf8(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new ProblemException(400, 'INVALID_ENCODING', 'The body is not UTF-8', undefined, {
      errors: [
        {
          pointer: '',
          code: 'INVALID_ENCODING',
          message: 'the body is not valid UTF-8',
          messageZh: '报文不是有效的UTF-8编码',
        },
      ],
    });
  }
}

const malformedJson = (detail: string) =>
  new ProblemException(400, 'MALFORMED_JSON', 'Malformed JSON', detail, {
    errors: [
      {
        pointer: '',
        code: 'MALFORMED_JSON',
        message: 'the body is not valid JSON',
        messageZh: '报文不是有效的JSON',
      },
    ],
  });

/** The import body as CSV text or parsed JSON; 415 for other media types, 413 past `max` bytes. */
export async function readImportBody(req: Request & { _body?: boolean }, max: number): Promise<ImportBody> {
  const { type, charset } = mediaType(req);
  const isCsv = type === 'text/csv';
  const isJson = type === 'application/json';
  if (!isCsv && !isJson)
    throw new ProblemException(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Unsupported media type',
      'send text/csv (UTF-8) or application/json',
    );
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw new ProblemException(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported charset', 'only UTF-8 is read');

  // A body parser already consumed the stream: take what it made of it.
  const parsed = req.readableEnded || req._body === true;
  if (parsed && req.body !== undefined) {
    const body: unknown = req.body;
    if (Buffer.isBuffer(body)) {
      if (body.length > max) throw tooLarge(max);
      const text = utf8(body);
      return isCsv ? { type: 'csv', text } : { type: 'json', value: parseJson(text) };
    }
    if (typeof body === 'string') {
      if (Buffer.byteLength(body) > max) throw tooLarge(max);
      return isCsv ? { type: 'csv', text: body } : { type: 'json', value: parseJson(body) };
    }
    if (isJson) return { type: 'json', value: body };
    throw new ProblemException(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Unsupported media type',
      'the CSV body was not readable',
    );
  }
  const text = utf8(await readStream(req, max));
  return isCsv ? { type: 'csv', text } : { type: 'json', value: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw malformedJson((error as Error).message.slice(0, 200));
  }
}
