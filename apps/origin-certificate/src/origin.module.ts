import { Topics } from '@cic/contracts';
import { MessagingModule, type MessagingOptions } from '@cic/platform-messaging';
import { ObservabilityModule } from '@cic/platform-observability';
import { PersistenceModule } from '@cic/platform-persistence';
import { QueueModule } from '@cic/platform-queue';
import { type DynamicModule, Module } from '@nestjs/common';
import { ApplicationsController } from './applications/applications.controller';
import { ApplicationsService } from './applications/applications.service';
import { authControllers, authImports, authTopics } from './auth';
import { CertificatesController } from './certificates/certificates.controller';
import { CertificatesService } from './certificates/certificates.service';
import { VerifyRateLimit } from './certificates/rate-limit';
import { CertificateVerification } from './certificates/verification';
import { VerifyController } from './certificates/verify.controller';
import { ORIGIN_CLOCK, ORIGIN_CONFIG, ORIGIN_RULES, type OriginConfig, rulesOf, SERVICE } from './config';
import { createOriginDataSource } from './data-source';
import { DecisionsController } from './decisions/decisions.controller';
import { DeclarationRequests } from './events/declaration-requests';
import { OriginEventsController } from './events/events.controller';
import { CertificateIssuer } from './issuance/certificate-issuer';
import { PdfDispatcher } from './jobs/pdf-dispatcher';
import { PdfQueue } from './jobs/pdf-queue';
import { PdfRenderJob } from './jobs/pdf-render.job';
import { SigningKeys } from './signing/signing-keys';
import { SigningKeysController } from './signing/signing-keys.controller';

function messagingOptions(config: OriginConfig, role: 'api' | 'worker'): MessagingOptions {
  return {
    service: SERVICE,
    brokers: config.KAFKA_BROKERS,
    groupId: config.KAFKA_GROUP_ID,
    schema: config.DB_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    consumes: [Topics.DeclarationAcceptedV1, ...authTopics()],
    produces: [Topics.OriginDecidedV1],
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

function common(config: OriginConfig, role: 'api' | 'worker') {
  return [
    ObservabilityModule.forRoot({ service: `${SERVICE}-${role}`, logLevel: config.LOG_LEVEL }),
    PersistenceModule.forRoot(createOriginDataSource(config, role)),
    MessagingModule.forRoot(messagingOptions(config, role)),
  ];
}

const shared = (config: OriginConfig) => [
  { provide: ORIGIN_CONFIG, useValue: config },
  { provide: ORIGIN_RULES, useValue: rulesOf(config) },
  { provide: ORIGIN_CLOCK, useValue: () => new Date() },
];

/**
 * The api role: HTTP (applications, certificates, corrections, revocation, signing keys, public
 * verification and JWKS), the Kafka consumer (accepted declarations with a certificate request, decided
 * inline and set-based) and the outbox relay. It never calls Redis: issuing writes a pending PDF row,
 * which the worker enqueues.
 */
@Module({})
export class OriginApiModule {
  static register(config: OriginConfig): DynamicModule {
    return {
      module: OriginApiModule,
      imports: [...common(config, 'api'), ...authImports(config)],
      controllers: [
        OriginEventsController,
        // Before CertificatesController: /v1/certificates/applications is not a certificate number.
        ApplicationsController,
        CertificatesController,
        VerifyController,
        SigningKeysController,
        DecisionsController,
        ...authControllers,
      ],
      providers: [
        ...shared(config),
        SigningKeys,
        CertificateIssuer,
        DeclarationRequests,
        ApplicationsService,
        CertificatesService,
        CertificateVerification,
        VerifyRateLimit,
      ],
    };
  }
}

/** The worker role: PDF renders on BullMQ, dispatched from the pending rows in Postgres. */
@Module({})
export class OriginWorkerModule {
  static register(config: OriginConfig): DynamicModule {
    return {
      module: OriginWorkerModule,
      imports: [
        ...common(config, 'worker'),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, connectionName: `${SERVICE}:worker` }),
      ],
      providers: [...shared(config), PdfQueue, PdfDispatcher, PdfRenderJob],
    };
  }
}
