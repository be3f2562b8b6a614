import { Topics } from '@cic/contracts';
import { MessagingModule, type MessagingOptions } from '@cic/platform-messaging';
import { ObservabilityModule } from '@cic/platform-observability';
import { PersistenceModule } from '@cic/platform-persistence';
import { QueueModule } from '@cic/platform-queue';
import { type DynamicModule, Module } from '@nestjs/common';
import { approvalControllers, approvalProviders } from './approval';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig, SERVICE } from './config';
import { createGreenChannelDataSource } from './data-source';
import { GreenChannelEventsController } from './events/events.controller';
import { ResultHistory } from './events/results.handler';
import { historyControllers, historyProviders } from './history';
import { CheckDispatcher } from './jobs/check-dispatcher';
import { CheckProcessor } from './jobs/check-processor';
import { CheckQueue } from './jobs/check-queue';
import { LaneDeadlines } from './jobs/lane-deadlines';
import { AlertIndexCache } from './lanes/alert-index.cache';
import { LaneDecider } from './lanes/lane-decider';
import { LaneIntake } from './lanes/lane-intake';
import { LaneQueries } from './lanes/lane.queries';
import { LanesController } from './lanes/lanes.controller';
import { referenceControllers, referenceProviders } from './reference';
import { authControllers, authImports, authTopics } from './auth';

function messagingOptions(config: GreenChannelConfig, role: 'api' | 'worker'): MessagingOptions {
  return {
    service: SERVICE,
    brokers: config.KAFKA_BROKERS,
    groupId: config.KAFKA_GROUP_ID,
    schema: config.DB_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    consumes: [Topics.DeclarationAcceptedV1, Topics.InspectionResultRecordedV1, ...authTopics()],
    produces: [Topics.GreenChannelDecidedV1],
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

function common(config: GreenChannelConfig, role: 'api' | 'worker') {
  return [
    ObservabilityModule.forRoot({ service: `${SERVICE}-${role}`, logLevel: config.LOG_LEVEL }),
    PersistenceModule.forRoot(createGreenChannelDataSource(config, role)),
    MessagingModule.forRoot(messagingOptions(config, role)),
  ];
}

const shared = (config: GreenChannelConfig) => [
  { provide: GREEN_CHANNEL_CONFIG, useValue: config },
  AlertIndexCache,
  LaneDecider,
];

/**
 * The api role: HTTP (reference data, history, approvals, lanes), the Kafka consumers (accepted
 * declarations decided inline when no slow check is needed; inspection results) and the outbox relay.
 * It never calls Redis: slow checks are written to Postgres and enqueued by the worker.
 */
@Module({})
export class GreenChannelApiModule {
  static register(config: GreenChannelConfig): DynamicModule {
    return {
      module: GreenChannelApiModule,
      imports: [...common(config, 'api'), ...authImports(config)],
      controllers: [
        GreenChannelEventsController,
        LanesController,
        ...referenceControllers,
        ...historyControllers,
        ...approvalControllers,
        ...authControllers,
      ],
      providers: [
        ...shared(config),
        LaneIntake,
        LaneQueries,
        ResultHistory,
        ...referenceProviders,
        ...historyProviders,
        ...approvalProviders,
      ],
    };
  }
}

/**
 * The worker role: the slow checks on BullMQ (document verification, lab history, risk-alert
 * screening), their dispatch from Postgres, and the check deadline (CHECK_TIMEOUT -> YELLOW).
 */
@Module({})
export class GreenChannelWorkerModule {
  static register(config: GreenChannelConfig): DynamicModule {
    return {
      module: GreenChannelWorkerModule,
      imports: [
        ...common(config, 'worker'),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, connectionName: `${SERVICE}:worker` }),
      ],
      providers: [...shared(config), CheckQueue, CheckDispatcher, CheckProcessor, LaneDeadlines],
    };
  }
}
