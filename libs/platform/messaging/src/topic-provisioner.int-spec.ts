import { runId, testInfra } from '@cic/platform-testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { provisionTopics, type TopicSettings } from './topic-provisioner';

const infra = testInfra();

const settings: TopicSettings = {
  partitions: 3,
  replicationFactor: 1,
  minInsyncReplicas: 1,
  maxMessageBytes: 1024 * 1024,
};

// `npm start` on a fresh broker starts the four services at once, and they create overlapping sets of
// topics (every decider consumes the accepted topic, intake consumes every decision topic). A service
// whose topics another one created a moment earlier read their metadata before the broker had it, got
// UNKNOWN_TOPIC_OR_PARTITION and exited: exemption did on 2026-12-03.
describe('provisionTopics with several instances at once', () => {
  const kafka = new Kafka({ clientId: 'it-provision', brokers: infra.brokers, logLevel: logLevel.NOTHING });
  const admins: Admin[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) admins.push(kafka.admin());
    await Promise.all(admins.map((a) => a.connect()));
  });

  afterAll(async () => {
    await Promise.all(admins.map((a) => a.disconnect()));
  });

  it('every instance succeeds and every topic exists once, with its partitions', async () => {
    const failures: string[] = [];
    const created = new Map<string, number>();
    const names: string[] = [];
    for (let round = 0; round < 3; round++) {
      const run = runId();
      const shared = [0, 1, 2, 3, 4, 5].map((i) => `it.provision.${run}.t${i}`);
      names.push(...shared);
      // Each instance wants the shared topics in its own order, plus one of its own.
      const results = await Promise.allSettled(
        admins.map((admin, i) =>
          provisionTopics(
            admin,
            [...shared.slice(i), ...shared.slice(0, i), `it.provision.${run}.own${i}`],
            settings,
          ),
        ),
      );
      results.forEach((r, i) => {
        if (r.status === 'rejected') failures.push(`round ${round} instance ${i}: ${String(r.reason)}`);
        else for (const t of r.value.created) created.set(t, (created.get(t) ?? 0) + 1);
      });
      names.push(...admins.map((_, i) => `it.provision.${run}.own${i}`));
    }
    expect(failures).toEqual([]);
    const { topics } = await admins[0].fetchTopicMetadata({ topics: names });
    expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
      names.map((n) => [n, settings.partitions]).sort(),
    );
    // A shared topic may be reported created by several instances that raced; an instance's own topic is
    // reported by that instance alone.
    for (const n of names.filter((x) => x.includes('.own'))) expect(created.get(n)).toBe(1);
  });
});
