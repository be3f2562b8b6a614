import type { z } from 'zod';
import { type CloudEvent, cloudEventSchema } from './envelope';

/** Which service publishes a topic and which consume it (drives docs and provisioning). */
export type ServiceName =
  | 'customs-system'
  | 'declaration-intake'
  | 'green-channel'
  | 'exemption'
  | 'origin-certificate';

export interface TopicDefinition<Name extends string = string, Data extends z.ZodType = z.ZodType> {
  /** Versioned topic name, also the CloudEvents `type`. */
  readonly name: Name;
  readonly version: number;
  readonly summary: string;
  /** What the Kafka key (and the envelope `subject`) holds. */
  readonly key: string;
  readonly producer: ServiceName;
  readonly consumers: readonly ServiceName[];
  readonly data: Data;
  /**
   * A compacted topic (Kafka `cleanup.policy=compact`) keeps the latest event of every key for good, so a
   * consumer that starts later still reads the current state of each key. Its events carry the whole
   * state of their key, not a change.
   */
  readonly compacted?: boolean;
  readonly envelope: ReturnType<typeof cloudEventSchema<Name, Data>>;
}

export function defineTopic<Name extends string, Data extends z.ZodType>(spec: {
  name: Name;
  summary: string;
  key: string;
  producer: ServiceName;
  consumers: readonly ServiceName[];
  data: Data;
  compacted?: boolean;
}): TopicDefinition<Name, Data> {
  const match = /\.v(\d+)$/.exec(spec.name);
  if (!match) throw new Error(`topic ${spec.name} must end in .v<version>`);
  return { ...spec, version: Number(match[1]), envelope: cloudEventSchema(spec.name, spec.data) };
}

/** The data type of a topic's events. */
export type DataOf<T> = T extends TopicDefinition<string, infer D> ? z.infer<D> : never;
/** The full envelope type of a topic's events. */
export type EventOf<T> = T extends TopicDefinition<infer N, infer D> ? CloudEvent<N, z.infer<D>> : never;
