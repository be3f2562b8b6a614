import { Topics } from '@cic/contracts';
import type { MessagingOptions } from '@cic/platform-messaging';
import { type IntakeConfig, SERVICE } from './config';

/** Intake's Kafka wiring; only the api role consumes (the CLI only writes to the outbox). */
export function intakeMessagingOptions(
  config: IntakeConfig,
  role: 'api' | 'worker' | 'cli',
): MessagingOptions {
  return {
    service: SERVICE,
    brokers: config.KAFKA_BROKERS,
    groupId: config.KAFKA_GROUP_ID,
    schema: config.DB_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    consumes: [
      Topics.DeclarationSubmittedV1,
      Topics.GreenChannelDecidedV1,
      Topics.ExemptionDecidedV1,
      Topics.OriginDecidedV1,
    ],
    produces: [
      Topics.DeclarationAcceptedV1,
      Topics.DeclarationRejectedV1,
      Topics.ClearanceDecidedV1,
      Topics.InspectionResultRecordedV1,
      // Intake issues the API keys every service accepts (DESIGN.md "HTTP").
      Topics.ApiKeyChangedV1,
    ],
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
    maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
    retry: {
      maxAttempts: config.KAFKA_MAX_ATTEMPTS,
      initialMs: config.KAFKA_RETRY_INITIAL_MS,
      maxMs: config.KAFKA_RETRY_MAX_MS,
      infraMaxMs: config.KAFKA_RETRY_INFRA_MAX_MS,
    },
    handlerTimeoutMs: config.KAFKA_HANDLER_TIMEOUT_MS,
    partitionsConcurrency: config.KAFKA_PARTITIONS_CONCURRENCY,
    commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
    fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    fetchMinBytes: config.KAFKA_FETCH_MIN_BYTES,
    fetchLingerMs: config.KAFKA_FETCH_LINGER_MS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    consume: role === 'api',
  };
}
