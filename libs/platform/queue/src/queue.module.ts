import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthRegistry } from '@cic/platform-observability';
import type { Redis } from 'ioredis';
import { createRedisConnection } from './redis';

export const REDIS = Symbol('REDIS');

export interface QueueModuleOptions {
  redisUrl: string;
  connectionName: string;
}

/** The Redis connection behind the service's BullMQ queues, with its readiness check. */
@Global()
@Module({})
export class QueueModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthRegistry,
  ) {}

  static forRoot(options: QueueModuleOptions): DynamicModule {
    return {
      module: QueueModule,
      providers: [
        { provide: REDIS, useFactory: () => createRedisConnection(options.redisUrl, options.connectionName) },
      ],
      exports: [REDIS],
    };
  }

  onModuleInit(): void {
    this.health.register({
      name: 'redis',
      check: async () => {
        const pong = await this.redis.ping();
        if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
