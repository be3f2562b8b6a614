import { metricsRegistry } from '@cic/platform-observability';
import { Counter, Histogram } from 'prom-client';

// The service's own metrics on /metrics, beside the platform's (HTTP, Kafka, outbox). Created once per
// process: several app instances in one process (tests) share them.

export const decisionsTotal = new Counter({
  name: 'origin_certificate_decisions_total',
  // Counted as the decision is written: a transaction that rolls back and is retried counts again.
  help: 'Certificate requests decided, by source (DECLARATION, API) and outcome (ISSUED, REFUSED)',
  labelNames: ['source', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const pdfRenderSeconds = new Histogram({
  name: 'origin_certificate_pdf_render_seconds',
  help: 'Time to render and store one certificate PDF',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const pdfRendersRerunTotal = new Counter({
  name: 'origin_certificate_pdf_renders_rerun_total',
  help: 'PDF renders dispatched again after running out of attempts, by why (infrastructure: the database or Redis was away and is back; stale: still pending long after dispatch)',
  labelNames: ['why'] as const,
  registers: [metricsRegistry],
});
