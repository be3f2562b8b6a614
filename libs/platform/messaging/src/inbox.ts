import type { EntityManager } from 'typeorm';
import { preparedQuery } from '@cic/platform-persistence';

export interface InboxEntry {
  groupId: string;
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Records that this consumer group handled an event, in the caller's transaction. Returns false when it
 * was handled before (a redelivery): the caller must then change nothing.
 */
export async function claimInbox(
  manager: EntityManager,
  schema: string,
  entry: InboxEntry,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}"."inbox" (consumer_group, event_id, topic, kafka_partition, kafka_offset)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING event_id`,
    [entry.groupId, entry.eventId, entry.topic, entry.partition, entry.offset],
  );
  return rows.length === 1;
}

/**
 * Records a whole group of events in one statement, in the caller's transaction. Returns the ids that
 * were new; the others were handled before (or appear twice in the group) and must change nothing.
 */
export async function claimInboxMany(
  manager: EntityManager,
  schema: string,
  groupId: string,
  entries: ReadonlyArray<Omit<InboxEntry, 'groupId'>>,
): Promise<Set<string>> {
  // Comma-separated lists, not array parameters: event ids are UUIDs (checked with the envelope), topic
  // names Kafka's [a-zA-Z0-9._-] and the rest integers, so nothing needs quoting, and one string per
  // column costs far less to send and parse than a quoted array literal.
  const rows = await preparedQuery<{ event_id: string }>(
    manager,
    `INSERT INTO "${schema}"."inbox" (consumer_group, event_id, topic, kafka_partition, kafka_offset)
     SELECT $1, e.event_id, e.topic, e.kafka_partition, e.kafka_offset
       FROM unnest(string_to_array($2, ',')::uuid[], string_to_array($3, ','), string_to_array($4, ',')::int[],
                   string_to_array($5, ',')::bigint[]) AS e(event_id, topic, kafka_partition, kafka_offset)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [
      groupId,
      entries.map((e) => e.eventId).join(','),
      entries.map((e) => e.topic).join(','),
      entries.map((e) => e.partition).join(','),
      entries.map((e) => e.offset).join(','),
    ],
  );
  return new Set(rows.map((r) => r.event_id));
}
