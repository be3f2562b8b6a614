import { Topics } from '@cic/contracts';
import { MessagingModule, type MessagingOptions } from '@cic/platform-messaging';
import { ObservabilityModule } from '@cic/platform-observability';
import { PersistenceModule } from '@cic/platform-persistence';
import { type DynamicModule, Module } from '@nestjs/common';
import { DeadLettersAdminController } from './admin/dead-letters.controller';
import { OutboxAdminController } from './admin/outbox.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeysController } from './auth/api-keys.controller';
import { ApiKeysService } from './auth/api-keys.service';
import { type IntakeConfig, SERVICE } from './config';
import { createIntakeDataSource } from './data-source';
import { ClearanceService } from './declarations/clearance.service';
import { DeclarationEventsController } from './declarations/declaration-events.controller';
import { DeclarationQueries } from './declarations/declaration.queries';
import { DeclarationsController } from './declarations/declarations.controller';
import { AcceptedWriter } from './declarations/accepted-writer';
import { HttpGroupCommit } from './declarations/http-group-commit';
import { IntakeBatch } from './declarations/intake-batch';
import { IntakeService } from './declarations/intake.service';
import { INTAKE_CONFIG } from './intake.tokens';
import { DecisionDeadlines } from './jobs/decision-deadlines';

function messagingOptions(config: IntakeConfig, role: 'api' | 'worker'): MessagingOptions {
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
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    consume: role === 'api',
  };
}

function common(config: IntakeConfig, role: 'api' | 'worker') {
  return [
    ObservabilityModule.forRoot({ service: `${SERVICE}-${role}`, logLevel: config.LOG_LEVEL }),
    PersistenceModule.forRoot(createIntakeDataSource(config, role)),
    MessagingModule.forRoot(messagingOptions(config, role)),
  ];
}

/** The api role: HTTP, Kafka consumers, outbox relay. */
@Module({})
export class IntakeApiModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: IntakeApiModule,
      imports: common(config, 'api'),
      controllers: [
        DeclarationsController,
        ApiKeysController,
        DeclarationEventsController,
        OutboxAdminController,
        DeadLettersAdminController,
      ],
      providers: [
        { provide: INTAKE_CONFIG, useValue: config },
        ApiKeysService,
        ApiKeyGuard,
        AcceptedWriter,
        IntakeService,
        IntakeBatch,
        HttpGroupCommit,
        ClearanceService,
        DeclarationQueries,
      ],
    };
  }
}

/**
 * The worker role: slow and scheduled work (today the decision-deadline sweep, which needs only
 * Postgres); it also relays the outbox when it leads.
 */
@Module({})
export class IntakeWorkerModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: IntakeWorkerModule,
      imports: common(config, 'worker'),
      providers: [{ provide: INTAKE_CONFIG, useValue: config }, ClearanceService, DecisionDeadlines],
    };
  }
}
