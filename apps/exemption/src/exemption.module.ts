import { Topics } from '@cic/contracts';
import { MessagingModule, type MessagingOptions } from '@cic/platform-messaging';
import { ObservabilityModule } from '@cic/platform-observability';
import { PersistenceModule } from '@cic/platform-persistence';
import { QueueModule } from '@cic/platform-queue';
import { type DynamicModule, Module } from '@nestjs/common';
import { ApplicationEvaluator } from './applications/application.evaluator';
import { ApplicationsController } from './applications/applications.controller';
import { ApplicationsService } from './applications/applications.service';
import { authControllers, authImports, authTopics } from './auth';
import {
  EXEMPTION_CLOCK,
  EXEMPTION_CONFIG,
  EXEMPTION_RULES,
  type ExemptionConfig,
  rulesOf,
  SERVICE,
} from './config';
import { createExemptionDataSource } from './data-source';
import { DecisionsController } from './decisions/decisions.controller';
import { ExemptionDecider } from './decisions/exemption-decider';
import { ExemptionEventsController } from './events/events.controller';
import { ResultRecorder } from './events/results.handler';
import { GrantMaintenance } from './grants/grant-maintenance';
import { GrantSuspender } from './grants/grant-suspender';
import { GrantStore } from './grants/grant.store';
import { GrantsController } from './grants/grants.controller';
import { GrantsService } from './grants/grants.service';
import { GrantMaintenanceJob } from './jobs/grant-maintenance.job';
import { MaintenanceQueue } from './jobs/maintenance.queue';
import { RecordsController } from './records/records.controller';
import { RecordsService } from './records/records.service';

function messagingOptions(config: ExemptionConfig, role: 'api' | 'worker'): MessagingOptions {
  return {
    service: SERVICE,
    brokers: config.KAFKA_BROKERS,
    groupId: config.KAFKA_GROUP_ID,
    schema: config.DB_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    consumes: [Topics.DeclarationAcceptedV1, Topics.InspectionResultRecordedV1, ...authTopics()],
    produces: [Topics.ExemptionDecidedV1, Topics.ExemptionGrantChangedV1],
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

function common(config: ExemptionConfig, role: 'api' | 'worker') {
  return [
    ObservabilityModule.forRoot({ service: `${SERVICE}-${role}`, logLevel: config.LOG_LEVEL }),
    PersistenceModule.forRoot(createExemptionDataSource(config, role)),
    MessagingModule.forRoot(messagingOptions(config, role)),
  ];
}

const shared = (config: ExemptionConfig) => [
  { provide: EXEMPTION_CONFIG, useValue: config },
  { provide: EXEMPTION_RULES, useValue: rulesOf(config) },
  { provide: EXEMPTION_CLOCK, useValue: () => new Date() },
  GrantStore,
  GrantMaintenance,
];

/**
 * The api role: HTTP (applications, grants, the enterprise record, decisions), the Kafka consumers
 * (accepted declarations decided inline, set-based; inspection results suspending grants) and the outbox
 * relay. It never calls Redis: the daily maintenance is the worker's; the maintenance endpoint runs the
 * same Postgres work in place.
 */
@Module({})
export class ExemptionApiModule {
  static register(config: ExemptionConfig): DynamicModule {
    return {
      module: ExemptionApiModule,
      imports: [...common(config, 'api'), ...authImports(config)],
      controllers: [
        ExemptionEventsController,
        ApplicationsController,
        GrantsController,
        RecordsController,
        DecisionsController,
        ...authControllers,
      ],
      providers: [
        ...shared(config),
        ApplicationEvaluator,
        ApplicationsService,
        GrantsService,
        GrantSuspender,
        RecordsService,
        ResultRecorder,
        ExemptionDecider,
      ],
    };
  }
}

/** The worker role: the daily grant maintenance (expiry, renewal reminders) on a BullMQ job scheduler. */
@Module({})
export class ExemptionWorkerModule {
  static register(config: ExemptionConfig): DynamicModule {
    return {
      module: ExemptionWorkerModule,
      imports: [
        ...common(config, 'worker'),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, connectionName: `${SERVICE}:worker` }),
      ],
      providers: [...shared(config), MaintenanceQueue, GrantMaintenanceJob],
    };
  }
}
