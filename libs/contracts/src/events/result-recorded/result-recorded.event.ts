import { z } from 'zod';
import { DeclarationId, HsCode, IsoDateTime } from '../../common.schema';
import { defineTopic } from '../../topic';

export const InspectionResultRecorded = z.object({
  declarationId: DeclarationId,
  enterpriseCode: z.string().min(1),
  kind: z.enum(['PHYSICAL', 'DOCUMENT', 'SAMPLING']),
  recordedBy: z.string().min(1),
  recordedAt: IsoDateTime,
  lines: z
    .array(
      z.object({
        lineNo: z.number().int().min(1).max(999),
        hsCode: HsCode,
        outcome: z.enum(['PASS', 'FAIL']),
        findings: z.array(z.string().min(1).max(1000)),
      }),
    )
    .min(1),
});
export type InspectionResultRecorded = z.infer<typeof InspectionResultRecorded>;

export const InspectionResultRecordedV1 = defineTopic({
  name: 'inspection.result.recorded.v1',
  summary: 'An operator recorded the result of a physical, document or sampling inspection.',
  key: 'declarationId',
  producer: 'declaration-intake',
  consumers: ['green-channel', 'exemption'],
  data: InspectionResultRecorded,
});
