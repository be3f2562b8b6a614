import type { FieldError } from '@cic/contracts';
import { HttpException } from '@nestjs/common';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** An RFC 9457 problem with a stable `code` and, for bad input, field-level `errors`. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    title: string,
    detail?: string,
    extensions: { errors?: FieldError[]; [k: string]: unknown } = {},
  ) {
    super(
      {
        type: `urn:cic:problem:${code.toLowerCase().replace(/_/g, '-')}`,
        title,
        status,
        code,
        detail,
        ...extensions,
      } satisfies ProblemBody,
      status,
    );
  }
}
