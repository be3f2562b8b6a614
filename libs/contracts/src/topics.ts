import { ApiKeyChangedV1 } from './events/api-key-changed/api-key-changed.event';
import { ClearanceDecidedV1 } from './events/clearance-decided/clearance-decided.event';
import { DeclarationAcceptedV1 } from './events/declaration-accepted/declaration-accepted.event';
import { DeclarationRejectedV1 } from './events/declaration-rejected/declaration-rejected.event';
import { DeclarationSubmittedV1 } from './events/declaration-submitted/declaration-submitted.event';
import { ExemptionDecidedV1 } from './events/exemption-decided/exemption-decided.event';
import { ExemptionGrantChangedV1 } from './events/exemption-grant-changed/exemption-grant-changed.event';
import { GreenChannelDecidedV1 } from './events/greenchannel-decided/greenchannel-decided.event';
import { OriginDecidedV1 } from './events/origin-decided/origin-decided.event';
import { InspectionResultRecordedV1 } from './events/result-recorded/result-recorded.event';
import type { TopicDefinition } from './topic';

/** The one registry of public topics (DESIGN.md). A breaking change is a new `.v2` entry, never an edit. */
export const Topics = {
  DeclarationSubmittedV1,
  DeclarationAcceptedV1,
  DeclarationRejectedV1,
  GreenChannelDecidedV1,
  ExemptionDecidedV1,
  ExemptionGrantChangedV1,
  OriginDecidedV1,
  ClearanceDecidedV1,
  InspectionResultRecordedV1,
  ApiKeyChangedV1,
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics]['name'];

export const allTopics: readonly TopicDefinition[] = Object.values(Topics);

const byName = new Map<string, TopicDefinition>(allTopics.map((t) => [t.name, t]));

export function topicByName(name: string): TopicDefinition | undefined {
  return byName.get(name);
}

type TopicsMap = typeof Topics;
/** Topic names by registry key, for `@EventPattern(Topic.DeclarationAcceptedV1)`. */
export const Topic = Object.fromEntries(Object.entries(Topics).map(([k, t]) => [k, t.name])) as {
  readonly [K in keyof TopicsMap]: TopicsMap[K]['name'];
};
