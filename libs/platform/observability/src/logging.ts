import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import { currentTrace } from './trace-context';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * pino options shared by every service: one JSON object per line with the service name, an ISO time, the
 * level as a word, and the trace and correlation ids of the work in progress (HTTP request or Kafka
 * message), so a line can be found from a declaration id or a trace id.
 */
export function loggerOptions(service: string, level: LogLevel = 'info'): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
    mixin() {
      const trace = currentTrace();
      if (!trace) return {};
      return trace.correlationId
        ? { traceId: trace.traceId, spanId: trace.spanId, correlationId: trace.correlationId }
        : { traceId: trace.traceId, spanId: trace.spanId };
    },
  };
}

/** nestjs-pino settings: framework and service logs through pino; no per-request access line (cost). */
export function pinoParams(service: string, level: LogLevel = 'info', stream?: DestinationStream): Params {
  return {
    pinoHttp: stream
      ? [{ ...loggerOptions(service, level), autoLogging: false, quietReqLogger: true }, stream]
      : { ...loggerOptions(service, level), autoLogging: false, quietReqLogger: true },
    renameContext: 'context',
  };
}
