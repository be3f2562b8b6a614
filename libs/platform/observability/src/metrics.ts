import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's Prometheus registry. Libraries register their metrics here with a `cic_` prefix; the
 * /metrics endpoint serves it.
 */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function enableDefaultMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'cic_' });
}
