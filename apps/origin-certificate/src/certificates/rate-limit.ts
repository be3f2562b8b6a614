import { ProblemException } from '@cic/platform-http';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ORIGIN_CONFIG, type OriginConfig } from '../config';

/** Buckets kept at most; past this the fullest (longest idle) are dropped first. */
const MAX_BUCKETS = 10_000;

/**
 * A token bucket per key: `burst` tokens, refilled at `perSecond`. In memory and per instance (the public
 * verify endpoint only needs to blunt scraping; a fleet-wide limit belongs in the ingress).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes a token: 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    // Re-inserted so the Map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}

/** Rate limit of the public verification per client IP: 429 with Retry-After when the bucket is empty. */
@Injectable()
export class VerifyRateLimit implements CanActivate {
  private readonly buckets: TokenBuckets;

  constructor(@Inject(ORIGIN_CONFIG) config: OriginConfig) {
    this.buckets = new TokenBuckets(config.VERIFY_RATE_BURST, config.VERIFY_RATE_PER_SECOND);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const wait = this.buckets.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (wait === 0) return true;
    http.getResponse<Response>().setHeader('Retry-After', String(wait));
    throw new ProblemException(
      429,
      'RATE_LIMITED',
      'Too many requests',
      `verification is limited per client; retry after ${wait} s`,
      { retryAfterSeconds: wait },
    );
  }
}
