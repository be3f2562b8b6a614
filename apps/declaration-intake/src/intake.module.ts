import { PlatformAuthModule } from '@cic/platform-auth';
import { MessagingModule } from '@cic/platform-messaging';
import { ObservabilityModule } from '@cic/platform-observability';
import { PersistenceModule } from '@cic/platform-persistence';
import { type DynamicModule, Module } from '@nestjs/common';
import { DeadLettersAdminController } from './admin/dead-letters.controller';
import { OutboxAdminController } from './admin/outbox.controller';
import { ApiKeysController } from './auth/api-keys.controller';
import { ApiKeysService } from './auth/api-keys.service';
import { type IntakeConfig, SERVICE } from './config';
import { intakeMessagingOptions } from './messaging.options';
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

function common(config: IntakeConfig, role: 'api' | 'worker') {
  return [
    ObservabilityModule.forRoot({ service: `${SERVICE}-${role}`, logLevel: config.LOG_LEVEL }),
    PersistenceModule.forRoot(createIntakeDataSource(config, role)),
    MessagingModule.forRoot(intakeMessagingOptions(config, role)),
  ];
}

/** The api role: HTTP, Kafka consumers, outbox relay. */
@Module({})
export class IntakeApiModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: IntakeApiModule,
      imports: [...common(config, 'api'), PlatformAuthModule.forRoot({ nodeEnv: config.NODE_ENV })],
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
