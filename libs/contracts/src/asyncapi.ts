import { z } from 'zod';
import { allTopics } from './topics';
import type { TopicDefinition } from './topic';

/** JSON Schema (draft 2020-12) of a topic's full envelope, as consumers validate it. */
export function envelopeJsonSchema(topic: TopicDefinition): Record<string, unknown> {
  return {
    $id: `urn:cic:contracts:${topic.name}`,
    title: topic.name,
    description: topic.summary,
    ...z.toJSONSchema(topic.envelope, { io: 'input', unrepresentable: 'any' }),
  };
}

function channelId(topic: TopicDefinition): string {
  return topic.name.replace(/[.-]/g, '_');
}

/** An AsyncAPI 3.0 document of every public topic, from the same schemas the services run. */
export function buildAsyncApi(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const topic of allTopics) {
    const id = channelId(topic);
    messages[id] = {
      name: topic.name,
      title: topic.name,
      summary: topic.summary,
      contentType: 'application/cloudevents+json',
      headers: {
        type: 'object',
        properties: {
          traceparent: { type: 'string', description: 'W3C trace context' },
          ce_type: { type: 'string', const: topic.name },
        },
      },
      payload: { $ref: `./schemas/${topic.name}.json` },
      bindings: { kafka: { key: { type: 'string', description: topic.key } } },
    };
    channels[id] = {
      address: topic.name,
      description: `${topic.summary} Key: ${topic.key}. Consumers: ${topic.consumers.join(', ') || 'external systems'}.`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
      ...(topic.compacted
        ? { bindings: { kafka: { topicConfiguration: { 'cleanup.policy': ['compact'] } } } }
        : {}),
    };
    operations[`publish_${id}`] = {
      action: 'send',
      title: `${topic.producer} publishes ${topic.name}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Export inspection and clearance events',
      version,
      description:
        'CloudEvents 1.0 structured JSON in the Kafka value; the Kafka key equals the envelope subject. ' +
        'Consumers deduplicate on the event id. A breaking change is a new .vN topic.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'npm run infra:up' } },
    channels,
    operations,
    components: { messages },
  };
}
