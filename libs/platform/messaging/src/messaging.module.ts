import { type DynamicModule, Global, type INestApplication, Module } from '@nestjs/common';
import { DeadLetterAdmin } from './dead-letter-admin';
import { DeadLetters } from './dead-letters';
import { KafkaClient } from './kafka-client';
import { KafkaTransport } from './kafka.transport';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox';
import { OutboxAdmin } from './outbox-admin';

/**
 * Kafka for one service: the transport its `@OnEvent` handlers run on, the outbox writer and relay,
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
 * Attaches the Kafka transport to a Nest application and starts consuming, with public Nest APIs only:
 * the transport is connected before `init` (Nest binds the @OnEvent handlers then, and the modules' init
 * hooks run once, with the application's), consumption starts after the modules are initialised (the
 * DataSource above all). Call before `listen`; `app.close()` stops it gracefully.
 */
export async function startKafkaTransport(app: INestApplication): Promise<KafkaTransport> {
  const transport = app.get(KafkaTransport);
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: false });
  await app.init();
  await app.startAllMicroservices();
  return transport;
}
