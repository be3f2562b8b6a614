import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ProblemFilter, sendProblem } from './problem.filter';

/**
 * JSON bodies up to the configured size, with parse and size errors answered as problems instead of
 * express's HTML pages; every other error goes through the problem filter.
 */
export function configureHttp(app: INestApplication, maxBodyBytes: number): void {
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
