import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ApiKeyAuthenticator, AUTH_OPTIONS, type AuthOptions } from './api-key.authenticator';
import { ApiKeyGuard } from './api-key.guard';

/**
 * API keys for one service: the authenticator over the service's own `api_keys` table and the guard its
 * controllers use (`@UseGuards(ApiKeyGuard)`, `@Roles(...)`). Needs PersistenceModule (DataSource, with
 * `authEntities` registered). Services other than the issuer also add ApiKeyReplicaController and
 * consume `platform.api-key.changed.v1`.
 */
@Global()
@Module({})
export class PlatformAuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: PlatformAuthModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, ApiKeyAuthenticator, ApiKeyGuard],
      exports: [AUTH_OPTIONS, ApiKeyAuthenticator, ApiKeyGuard],
    };
  }
}
