import type { EntityManager } from 'typeorm';
import { TimelineEntryEntity } from '../entities';

export async function addTimeline(
  manager: EntityManager,
  declarationId: string,
  kind: string,
  summary: string,
  detail: Record<string, unknown> | null = null,
  at = new Date(),
): Promise<void> {
  const repo = manager.getRepository(TimelineEntryEntity);
  await repo.save(repo.create({ declarationId, kind, summary, detail, at }), { reload: false });
}
