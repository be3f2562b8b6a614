import type { EntityManager } from 'typeorm';

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
  const rows: Array<{ event_id: string }> = await manager.query(
    `INSERT INTO "${schema}"."inbox" (consumer_group, event_id, topic, kafka_partition, kafka_offset)
     SELECT $1, e.event_id, e.topic, e.kafka_partition, e.kafka_offset
       FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[]) AS e(event_id, topic, kafka_partition, kafka_offset)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [
      groupId,
      entries.map((e) => e.eventId),
      entries.map((e) => e.topic),
      entries.map((e) => e.partition),
      entries.map((e) => e.offset),
    ],
  );
  return new Set(rows.map((r) => r.event_id));
}
