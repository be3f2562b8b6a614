import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * CloudEvents 1.0 structured-mode envelope carried as the Kafka value (DESIGN.md "Event envelope").
 * `type` equals the versioned topic name; `subject` equals the Kafka key.
 */
export function cloudEventSchema<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    specversion: z.literal('1.0'),
    id: z.uuid(),
    type: z.literal(type),
    source: z.string().min(1),
    subject: z.string().min(1),
    time: z.iso.datetime({ offset: true }),
    datacontenttype: z.literal('application/json'),
    data,
  });
}

/** The envelope fields without the typed data, for code that routes before it knows the topic. */
export const AnyCloudEvent = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  type: z.string().min(1),
  source: z.string().min(1),
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});
export type AnyCloudEvent = z.infer<typeof AnyCloudEvent>;

export interface CloudEvent<T extends string = string, D = unknown> {
  specversion: '1.0';
  id: string;
  type: T;
  source: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: D;
}

export interface NewEventInput<D> {
  subject: string;
  source: string;
  data: D;
  id?: string;
  time?: Date;
}

/** Builds an envelope; the caller supplies what only it knows (subject, source, data). */
export function buildEvent<T extends string, D>(type: T, input: NewEventInput<D>): CloudEvent<T, D> {
  return {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    type,
    source: input.source,
    subject: input.subject,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
}
