import { fieldError } from '@cic/intake-domain';
import {
  DEAD_LETTER_STATUSES,
  DeadLetterAdmin,
  DeadLetterBusyError,
  DeadLetterInputError,
  DeadLetterNotFoundError,
  DeadLetterNotOpenError,
  type DeadLetterStatus,
  isDeadLetterId,
} from '@cic/platform-messaging';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';

const MAX_REASON = 2000;

function actorOf(p: Principal): string {
  return `${p.role}:${p.name}`;
}

function checkId(id: string): string {
  if (!isDeadLetterId(id))
    throw new ProblemException(404, 'NOT_FOUND', 'No dead letter with that id', `no dead letter ${id}`);
  return id;
}

/** The messaging library's typed errors as problems: unknown 404, not OPEN or busy 409, bad input 422. */
function asProblem(error: unknown): never {
  if (error instanceof DeadLetterNotFoundError)
    throw new ProblemException(404, 'NOT_FOUND', 'No dead letter with that id', error.message);
  if (error instanceof DeadLetterNotOpenError)
    throw new ProblemException(409, 'DEAD_LETTER_NOT_OPEN', 'The dead letter is not OPEN', error.message, {
      id: error.id,
      currentStatus: error.currentStatus,
      requiredStatus: error.requiredStatus,
    });
  if (error instanceof DeadLetterBusyError)
    throw new ProblemException(
      409,
      'DEAD_LETTER_BUSY',
      'Someone else is acting on this dead letter',
      error.message,
    );
  if (error instanceof DeadLetterInputError)
    throw new ProblemException(422, 'VALIDATION_FAILED', 'Invalid dead-letter request', error.message, {
      errors: [
        { pointer: `/${error.field}`, code: 'INVALID', message: error.message, messageZh: error.message },
      ],
    });
  throw error;
}

function bodyObject(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/**
 * Operators act on the consumer group's dead letters without writing code: list and inspect them, replay
 * one or all OPEN ones to their source topic, or discard one with a reason. Every action is audited with
 * the caller's key (role:name). Admin keys only.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/dead-letters')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class DeadLettersAdminController {
  constructor(private readonly deadLetters: DeadLetterAdmin) {}

  /** Newest first; `afterId` is the previous page's `nextAfterId`. */
  @Get()
  async list(
    @Query('status') status?: string,
    @Query('limit') limit?: string,
    @Query('afterId') afterId?: string,
    @Query('sourceTopic') sourceTopic?: string,
  ) {
    if (status !== undefined && !DEAD_LETTER_STATUSES.includes(status as DeadLetterStatus))
      throw new ProblemException(
        400,
        'BAD_REQUEST',
        'Unknown dead-letter status',
        `status must be one of ${DEAD_LETTER_STATUSES.join(', ')}`,
      );
    const size = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > 500)
      throw new ProblemException(400, 'BAD_REQUEST', 'Invalid limit', 'limit is an integer from 1 to 500');
    if (afterId !== undefined && !isDeadLetterId(afterId))
      throw new ProblemException(400, 'BAD_REQUEST', 'Invalid afterId', 'afterId is a dead letter id');
    return this.deadLetters
      .list({ status: status as DeadLetterStatus | undefined, limit: size, afterId, sourceTopic })
      .catch(asProblem);
  }

  /** One dead letter with its headers, its value and its audit trail. */
  @Get(':id')
  async get(@Param('id') id: string) {
    return this.deadLetters.get(checkId(id)).catch(asProblem);
  }

  /** Replays every OPEN dead letter (optionally of one source topic), oldest first, bounded per call. */
  @Post('replay-all')
  @HttpCode(200)
  async replayAll(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { sourceTopic, limit } = bodyObject(body);
    if (sourceTopic !== undefined && (typeof sourceTopic !== 'string' || !sourceTopic.trim()))
      throw new ProblemException(422, 'VALIDATION_FAILED', 'Invalid dead-letter request', undefined, {
        errors: [fieldError('/sourceTopic', 'WRONG_TYPE', { expected: 'string' })],
      });
    if (
      limit !== undefined &&
      (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
    )
      throw new ProblemException(422, 'VALIDATION_FAILED', 'Invalid dead-letter request', undefined, {
        errors: [fieldError('/limit', 'OUT_OF_RANGE', { minimum: '1', maximum: '1000' })],
      });
    return this.deadLetters
      .replayAll(actorOf(principal), {
        sourceTopic: sourceTopic as string | undefined,
        limit: limit as number,
      })
      .catch(asProblem);
  }

  /** Puts an OPEN dead letter back on its source topic; if it fails again it is a new dead letter. */
  @Post(':id/replay')
  @HttpCode(200)
  async replay(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.deadLetters.replay(checkId(id), actorOf(principal)).catch(asProblem);
  }

  /** Closes an OPEN dead letter for good; `{ "reason": "..." }` is required. */
  @Post(':id/discard')
  @HttpCode(200)
  async discard(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    checkId(id);
    const { reason } = bodyObject(body);
    const problem = (error: ReturnType<typeof fieldError>) =>
      new ProblemException(422, 'VALIDATION_FAILED', 'A discard needs a reason', undefined, {
        errors: [error],
      });
    if (reason === undefined || reason === null || (typeof reason === 'string' && !reason.trim()))
      throw problem(fieldError('/reason', 'REQUIRED'));
    if (typeof reason !== 'string')
      throw problem(fieldError('/reason', 'WRONG_TYPE', { expected: 'string' }));
    if (reason.trim().length > MAX_REASON)
      throw problem(fieldError('/reason', 'TOO_LONG', { maximum: String(MAX_REASON), unit: 'characters' }));
    return this.deadLetters.discard(id, actorOf(principal), reason).catch(asProblem);
  }
}
