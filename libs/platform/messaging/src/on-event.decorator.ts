import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { EventErrorPassthroughFilter } from './event-error.filter';
import type { EventHandlerExtras } from './event-context';

/** Set on every handler declared with @OnEvent; the transport refuses to start with any other. */
export const ON_EVENT_MARK = 'cicOnEvent';

/**
 * `@OnEvent(Topic.X, { ... })`: Nest's @EventPattern for this transport, with the filter that hands the
 * handler's real error back to the transport (Nest's default replaces it with "Internal server error",
 * and the transport needs it to tell an outage from a poison message). Use it for every event handler.
 */
export function OnEvent(topic: string, extras: EventHandlerExtras = {}): MethodDecorator {
  return applyDecorators(
    EventPattern(topic, { ...extras, [ON_EVENT_MARK]: true }),
    UseFilters(new EventErrorPassthroughFilter()),
  );
}
