import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { failureKind } from '@cic/platform-messaging';
import type { Request, Response } from 'express';
import type { ProblemBody } from './problem';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

export function sendProblem(res: Response, req: Request, body: ProblemBody): void {
  res
    .status(body.status)
    .type('application/problem+json')
    .json({ ...body, instance: req.originalUrl });
}

/** Every HTTP error leaves as application/problem+json (RFC 9457) with a `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      if (typeof raw === 'object' && raw !== null && 'code' in raw)
        return sendProblem(res, req, raw as ProblemBody);
      const detail =
        typeof raw === 'string' ? raw : String((raw as { message?: unknown }).message ?? exception.message);
      return sendProblem(res, req, {
        type: 'about:blank',
        title: exception.message,
        status,
        code: CODES[status] ?? `HTTP_${status}`,
        detail,
      });
    }
    if (failureKind(exception) === 'infrastructure') {
      // The database or broker is away: nothing is wrong with the request. Whether it took effect is not
      // known when the connection went away during the commit, so the answer does not claim either way.
      this.logger.warn({
        msg: `${req.method} ${req.originalUrl} answered 503: a dependency is unavailable (${(exception as Error)?.message})`,
      });
      res.setHeader('Retry-After', '5');
      return sendProblem(res, req, {
        type: 'about:blank',
        title: 'Service temporarily unavailable',
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        detail:
          'A dependency of the service is unavailable and the request may not have taken effect. Retry the same request later.',
      });
    }
    this.logger.error({ msg: `unhandled error on ${req.method} ${req.originalUrl}`, err: exception });
    sendProblem(res, req, {
      type: 'about:blank',
      title: 'Internal error',
      status: 500,
      code: 'INTERNAL',
      detail: 'The request failed; it has been logged.',
    });
  }
}
