import { type DynamicModule, Global, type INestApplication, Module } from '@nestjs/common';
import { DeadLetterAdmin } from './dead-letter-admin';
import { DeadLetters } from './dead-letters';
import { EventErrorPassthroughFilter } from './event-error.filter';
import { KafkaClient } from './kafka-client';
import { KafkaTransport } from './kafka.transport';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox';
import { OutboxAdmin } from './outbox-admin';

/**
 * Kafka for one service: the transport its `@EventPattern` handlers run on, the outbox writer and relay,
 * and dead-letter replay. Needs PersistenceModule (DataSource) and ObservabilityModule (health).
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        KafkaClient,
        OutboxWriter,
        OutboxRelay,
        OutboxAdmin,
        DeadLetters,
        DeadLetterAdmin,
        KafkaTransport,
      ],
      exports: [
        MESSAGING_OPTIONS,
        KafkaClient,
        OutboxWriter,
        OutboxRelay,
        OutboxAdmin,
        DeadLetters,
        DeadLetterAdmin,
        KafkaTransport,
      ],
    };
  }
}

/**
 * Attaches the Kafka transport to a Nest application and starts consuming. Call after the app is
 * created and before `listen`; `app.close()` stops it gracefully.
 */
export async function startKafkaTransport(app: INestApplication): Promise<KafkaTransport> {
  // Handlers need initialised modules (the DataSource above all) before the first message arrives.
  await app.init();
  const transport = app.get(KafkaTransport);
  // Deferred so the filter is in place before Nest binds the handlers (it reads filters at binding time).
  const microservice = app.connectMicroservice(
    { strategy: transport },
    { inheritAppConfig: false, deferInitialization: true },
  );
  microservice.useGlobalFilters(new EventErrorPassthroughFilter());
  // The application has already run the modules' init hooks; binding must not run them a second time.
  (microservice as unknown as { setIsInitHookCalled(v: boolean): void }).setIsInitHookCalled(true);
  await app.startAllMicroservices();
  return transport;
}
