import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * Failures the callers expect and handle (a unique key met by a concurrent copy, a serialization failure
 * or deadlock they retry, a lock not available to SKIP LOCKED): logged at debug level, not as warnings.
 */
const HANDLED_BY_CALLERS = new Set(['23505', '40001', '40P01', '55P03']);

/** How much of a statement a log line shows: enough to know which one, never a whole batch. */
const STATEMENT_HEAD = 160;

function head(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > STATEMENT_HEAD ? `${flat.slice(0, STATEMENT_HEAD)}…` : flat;
}

/**
 * TypeORM's log lines through the service's logger, short: a failed statement is one line with its
 * SQLSTATE, the database's message and the start of the statement, never its parameters. TypeORM's own
 * console logger printed every parameter of a failed statement (a batch's whole payload: megabytes per
 * line during a database outage, and declaration data in the logs); the caller that sees the error
 * logs what it meant for the work (retried, refused, dead-lettered) with its ids.
 */
export class SqlLogger implements TypeOrmLogger {
  private readonly logger = new Logger('SQL');

  logQuery(): void {
    // Statements are not logged one by one (metrics count them).
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[]): void {
    const e = error as { code?: unknown; message?: unknown };
    const sqlState = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof error === 'string' ? error : String(e.message ?? error);
    const line = {
      msg: `statement failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ${message}; statement: ${head(query)}`,
      sqlState,
      parameterCount: parameters?.length ?? 0,
    };
    if (sqlState && HANDLED_BY_CALLERS.has(sqlState)) this.logger.debug(line);
    else this.logger.warn(line);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ msg: `slow statement (${time} ms): ${head(query)}`, durationMs: time });
  }

  logSchemaBuild(): void {
    // synchronize is off: no schema is ever built from entities.
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
  }
}
