import { type EventOf, Topic, type Topics } from '@cic/contracts';
import { type KafkaBatchContext, OnEvent } from '@cic/platform-messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { replicateApiKeys } from './api-key.replica';

/**
 * Keeps this service's `api_keys` replica in step with the issuer (declaration-intake) from the compacted
 * `platform.api-key.changed.v1`: a service that starts later reads every key from the beginning. Add it to
 * the controllers of every service but the issuer, and the topic to its `consumes`.
 */
@Controller()
export class ApiKeyReplicaController {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  @OnEvent(Topic.ApiKeyChangedV1, { batch: true })
  async onApiKeyChanged(
    @Payload() events: Array<EventOf<typeof Topics.ApiKeyChangedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    await replicateApiKeys(
      ctx.manager,
      events.map((e) => e.data),
    );
    // This process sees the new state at once (a new key, or a revocation); its other instances within
    // KEY_CACHE_MS, as their cached answers expire.
    for (const e of events) this.authenticator.forget(e.data.keyHash);
  }
}
