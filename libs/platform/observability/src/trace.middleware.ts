import type { NextFunction, Request, Response } from 'express';
import { runWithTrace, toTraceparent, traceFromParent } from './trace-context';

/** Continues the caller's W3C trace (or starts one) for the request and echoes it back. */
export function traceMiddleware(req: Request, res: Response, next: NextFunction): void {
  const header = req.headers['traceparent'];
  const ctx = traceFromParent(Array.isArray(header) ? header[0] : header);
  res.setHeader('traceparent', toTraceparent(ctx));
  runWithTrace(ctx, () => next());
}
