import type { DeclarationEntity, TimelineEntryEntity } from '../entities';

/** What GET /v1/declarations/:id returns: status, outcome, every decision with its reasons, timestamps. */
export function declarationView(d: DeclarationEntity, timeline?: TimelineEntryEntity[]) {
  const decided = d.status !== 'AWAITING_DECISIONS';
  return {
    declarationId: d.id,
    localRef: d.localRef,
    declarantCode: d.declarantCode,
    status: d.status,
    outcome: decided ? d.status : null,
    revision: d.revision,
    directRelease: d.directRelease,
    channel: d.channel,
    receivedAt: d.receivedAt.toISOString(),
    decidedAt: d.decidedAt?.toISOString() ?? null,
    reasons: d.reasons,
    decisions: { greenChannel: d.greenChannel, exemption: d.exemption },
    rejection: d.rejection,
    declaration: d.payload,
    ...(timeline
      ? {
          timeline: timeline.map((t) => ({
            at: t.at.toISOString(),
            kind: t.kind,
            summary: t.summary,
            detail: t.detail,
          })),
        }
      : {}),
    links: { self: `/v1/declarations/${d.id}` },
  };
}

export function declarationSummary(d: DeclarationEntity) {
  return {
    declarationId: d.id,
    localRef: d.localRef,
    declarantCode: d.declarantCode,
    status: d.status,
    revision: d.revision,
    directRelease: d.directRelease,
    receivedAt: d.receivedAt.toISOString(),
    decidedAt: d.decidedAt?.toISOString() ?? null,
    links: { self: `/v1/declarations/${d.id}` },
  };
}
