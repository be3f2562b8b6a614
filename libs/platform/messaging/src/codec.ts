import { AnyCloudEvent, type CloudEvent, type TopicDefinition } from '@cic/contracts';

export type DecodeResult =
  | { ok: true; event: CloudEvent }
  | {
      ok: false;
      code: 'EMPTY_MESSAGE' | 'MALFORMED_JSON' | 'INVALID_ENVELOPE' | 'TYPE_MISMATCH' | 'INVALID_PAYLOAD';
      message: string;
    };

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => `/${i.path.map(String).join('/')}: ${i.message}`)
    .join('; ');
}

/**
 * Turns a Kafka value into a validated envelope of the topic's type, or says precisely why not.
 * `dataValidation: false` checks the envelope only, for consumers that answer bad data with a business
 * rejection instead of a dead letter (declaration intake).
 */
export function decodeEvent(
  topic: TopicDefinition,
  value: Buffer | null,
  dataValidation = true,
): DecodeResult {
  if (!value || value.length === 0)
    return { ok: false, code: 'EMPTY_MESSAGE', message: 'the message has no value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, code: 'MALFORMED_JSON', message: `value is not JSON: ${(error as Error).message}` };
  }
  // The typed envelope first: it holds every check of the generic one, so an event it takes is decoded in
  // one pass (the generic pass first doubled the cost of every valid event). Only a refused event is
  // looked at again, to tell a broken envelope and a wrong type from bad data.
  const typed = dataValidation ? topic.envelope.safeParse(json) : undefined;
  if (typed?.success) return { ok: true, event: typed.data as CloudEvent };
  const envelope = AnyCloudEvent.safeParse(json);
  if (!envelope.success) {
    return {
      ok: false,
      code: 'INVALID_ENVELOPE',
      message: `not a CloudEvents 1.0 envelope: ${describeIssues(envelope.error.issues)}`,
    };
  }
  if (envelope.data.type !== topic.name) {
    return {
      ok: false,
      code: 'TYPE_MISMATCH',
      message: `type "${envelope.data.type}" does not belong on topic ${topic.name}`,
    };
  }
  if (!typed) return { ok: true, event: envelope.data as CloudEvent };
  return {
    ok: false,
    code: 'INVALID_PAYLOAD',
    message: `invalid ${topic.name} payload: ${describeIssues(typed.error.issues)}`,
  };
}
