import type { TopicDefinition } from '@cic/contracts';
import { type Admin, ConfigResourceTypes, type ITopicMetadata } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  /** min.insync.replicas; with acks=all a write needs this many replicas (production 2 of 3). */
  minInsyncReplicas: number;
  /** Every message we accept must fit: a topic taking less is a misconfiguration, found at start-up. */
  maxMessageBytes: number;
}

/** A topic with settings of its own beyond the shared ones, e.g. `{ 'cleanup.policy': 'compact' }`. */
export interface TopicSpec {
  name: string;
  /** Kafka topic configs set at creation and checked on an existing topic (a difference stops start-up). */
  config?: Readonly<Record<string, string>>;
}

/** The topic configs a definition asks for (a compacted topic: `cleanup.policy=compact`). */
export function topicConfigOf(definition: TopicDefinition): Record<string, string> {
  return definition.compacted ? { 'cleanup.policy': 'compact' } : {};
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
 * min.insync.replicas (and each topic's own configs), then checks every topic (new or old) against those
 * settings: weaker replication, a lower min.insync.replicas, a smaller max.message.bytes or a topic config
 * other than its definition needs (a compacted topic that is not) stop the start-up; other differences warn.
 */
export async function provisionTopics(
  admin: Admin,
  topics: ReadonlyArray<string | TopicSpec>,
  settings: TopicSettings,
): Promise<ProvisionReport> {
  const configs = new Map<string, Readonly<Record<string, string>>>();
  for (const t of topics) {
    const spec = typeof t === 'string' ? { name: t } : t;
    configs.set(spec.name, { ...configs.get(spec.name), ...spec.config });
  }
  const wanted = [...configs.keys()];
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
          configEntries: [
            { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
            ...Object.entries(configs.get(topic) ?? {}).map(([name, value]) => ({ name, value })),
          ],
        })),
      });
    } catch (error) {
      // Another instance created them in between: fine as long as they exist now.
      const now = new Set(await admin.listTopics());
      if (missing.some((t) => !now.has(t))) throw error;
    }
  }
  // Topics another instance created a moment ago (or ours, when the creation request failed for theirs)
  // may not be in the broker's metadata yet, or have no leader yet: wait for them before reading it.
  const metadata = await untilLeaders(admin, wanted);
  return { created: missing, warnings: await checkTopics(admin, configs, settings, metadata) };
}

/** How long start-up waits for new topics to get leaders before it gives up with an error. */
const LEADERS_TIMEOUT_MS = 30_000;

/** Kafka errors of a topic that exists but is not served yet (a leader election under way). */
function notServedYet(error: unknown): boolean {
  const type = (error as { type?: string } | null)?.type;
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
}

/** Waits until every topic is served; returns their metadata. */
async function untilLeaders(
  admin: Admin,
  topics: string[],
  timeoutMs = LEADERS_TIMEOUT_MS,
): Promise<ITopicMetadata[]> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    let waiting: string;
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.filter((t) => t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (leaderless.length === 0) return metadata;
      waiting = `no leader yet for ${leaderless.join(', ')}`;
    } catch (error) {
      if (!notServedYet(error)) throw error;
      waiting = (error as Error).message;
    }
    if (Date.now() + delay > deadline)
      throw new Error(`Kafka topics not served ${timeoutMs} ms after they were created: ${waiting}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function checkTopics(
  admin: Admin,
  configs: ReadonlyMap<string, Readonly<Record<string, string>>>,
  settings: TopicSettings,
  metadata: readonly ITopicMetadata[],
): Promise<string[]> {
  const topics = [...configs.keys()];
  const problems: string[] = [];
  const warnings: string[] = [];
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
      configNames: ['min.insync.replicas', 'max.message.bytes', ...Object.keys(configs.get(name) ?? {})],
    })),
  });
  for (const resource of described.resources) {
    for (const [name, wantedValue] of Object.entries(configs.get(resource.resourceName) ?? {})) {
      const actual = resource.configEntries.find((e) => e.configName === name)?.configValue;
      if (actual !== wantedValue)
        problems.push(
          `${resource.resourceName} has ${name}=${actual ?? '(unset)'}, its definition needs ${wantedValue}`,
        );
    }
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
