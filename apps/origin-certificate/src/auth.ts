import { Topics } from '@cic/contracts';
import { ApiKeyReplicaController, PlatformAuthModule } from '@cic/platform-auth';
import type { OriginConfig } from './config';

// API keys are issued by declaration-intake and replicated here from platform.api-key.changed.v1 into
// this service's own api_keys table (DESIGN.md: one key works on every service, no shared schema).
export const authImports = (config: OriginConfig) => [
  PlatformAuthModule.forRoot({ nodeEnv: config.NODE_ENV }),
];
export const authControllers = [ApiKeyReplicaController];
export const authTopics = () => [Topics.ApiKeyChangedV1];
