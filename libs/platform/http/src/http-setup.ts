import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ProblemFilter, sendProblem } from './problem.filter';

/** Idle keep-alive connections are kept longer than clients' and load balancers' idle timeouts (often 60 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * JSON bodies up to the configured size, with parse and size errors answered as problems instead of
 * express's HTML pages; every other error goes through the problem filter. Idle connections stay open
 * KEEP_ALIVE_TIMEOUT_MS: with Node's 5 s default, a client reusing a connection just as the server closed
 * it got a reset instead of an answer (seen in the benchmark: one failed submission at 50/s).
 */
export function configureHttp(app: INestApplication, maxBodyBytes: number): void {
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000; // above keepAliveTimeout, as Node requires
  app.use(express.json({ limit: maxBodyBytes, type: ['application/json', 'application/*+json'] }));
  app.use(
    (
      err: { type?: string; status?: number; message?: string },
      req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      if (!err) return next();
      if (err.type === 'entity.too.large') {
        return sendProblem(res, req, {
          type: 'about:blank',
          title: 'Body too large',
          status: 413,
          code: 'BODY_TOO_LARGE',
          detail: `the body exceeds ${maxBodyBytes} bytes`,
        });
      }
      if (err.type === 'entity.parse.failed') {
        return sendProblem(res, req, {
          type: 'about:blank',
          title: 'Malformed JSON',
          status: 400,
          code: 'MALFORMED_JSON',
          detail: err.message,
          errors: [
            {
              pointer: '',
              code: 'MALFORMED_JSON',
              message: 'the body is not valid JSON',
              messageZh: '报文不是有效的JSON',
            },
          ],
        });
      }
      return sendProblem(res, req, {
        type: 'about:blank',
        title: 'Bad request',
        status: err.status ?? 400,
        code: 'BAD_REQUEST',
        detail: err.message,
      });
    },
  );
  app.useGlobalFilters(new ProblemFilter());
}
