import { type Admin, ConfigResourceTypes } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  /** min.insync.replicas; with acks=all a write needs this many replicas (production 2 of 3). */
  minInsyncReplicas: number;
  /** Every message we accept must fit: a topic taking less is a misconfiguration, found at start-up. */
  maxMessageBytes: number;
}

export interface ProvisionReport {
  created: string[];
  /** Differences that do not endanger data (e.g. more partitions than configured). */
  warnings: string[];
}

/** Thrown at start-up when existing topics are weaker than configured: one line naming each problem. */
export class TopicSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Kafka topic settings are unsafe for this configuration: ${problems.join('; ')}`);
    this.name = 'TopicSettingsError';
  }
}

/**
 * Creates the topics that do not exist yet with the configured partitions, replication and
 * min.insync.replicas, then checks every topic (new or old) against those settings: weaker replication,
 * a lower min.insync.replicas or a smaller max.message.bytes stop the start-up; other differences warn.
 */
export async function provisionTopics(
  admin: Admin,
  topics: readonly string[],
  settings: TopicSettings,
): Promise<ProvisionReport> {
  const wanted = [...new Set(topics)];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: settings.partitions,
          replicationFactor: settings.replicationFactor,
          configEntries: [{ name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) }],
        })),
      });
    } catch (error) {
      // Another instance created them in between: fine as long as they exist now.
      const now = new Set(await admin.listTopics());
      if (missing.some((t) => !now.has(t))) throw error;
    }
  }
  return { created: missing, warnings: await checkTopics(admin, wanted, settings) };
}

async function checkTopics(admin: Admin, topics: string[], settings: TopicSettings): Promise<string[]> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  for (const t of metadata) {
    const replication = Math.min(...t.partitions.map((p) => p.replicas.length));
    if (replication < settings.replicationFactor)
      problems.push(
        `${t.name} has replication factor ${replication}, configured ${settings.replicationFactor}`,
      );
    if (t.partitions.length !== settings.partitions)
      warnings.push(`${t.name} has ${t.partitions.length} partitions, configured ${settings.partitions}`);
  }
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['min.insync.replicas', 'max.message.bytes'],
    })),
  });
  for (const resource of described.resources) {
    const value = (name: string) =>
      Number(resource.configEntries.find((e) => e.configName === name)?.configValue ?? NaN);
    const isr = value('min.insync.replicas');
    if (isr < settings.minInsyncReplicas)
      problems.push(
        `${resource.resourceName} has min.insync.replicas ${isr}, configured ${settings.minInsyncReplicas}`,
      );
    const maxBytes = value('max.message.bytes');
    if (maxBytes < settings.maxMessageBytes)
      problems.push(
        `${resource.resourceName} takes messages up to ${maxBytes} bytes, below the configured ${settings.maxMessageBytes} (raise max.message.bytes or lower KAFKA_MAX_MESSAGE_BYTES)`,
      );
  }
  if (problems.length) throw new TopicSettingsError(problems);
  return warnings;
}
