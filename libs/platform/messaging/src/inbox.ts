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
