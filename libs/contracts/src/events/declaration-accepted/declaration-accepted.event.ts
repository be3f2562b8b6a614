import { z } from 'zod';
import { DeclarationId, IsoDateTime } from '../../common.schema';
import { defineTopic } from '../../topic';
import { InspectionDeclaration } from '../declaration-submitted/declaration-submitted.event';

export const DeclarationAccepted = InspectionDeclaration.extend({
  declarationId: DeclarationId,
  receivedAt: IsoDateTime,
  /** True when the declaration was accepted without paper documents (无纸化报检). */
  paperless: z.boolean(),
});
export type DeclarationAccepted = z.infer<typeof DeclarationAccepted>;

export const DeclarationAcceptedV1 = defineTopic({
  name: 'inspection.declaration.accepted.v1',
  summary: 'Intake validated and stored a declaration; decision services start work on it.',
  key: 'declarationId',
  producer: 'declaration-intake',
  consumers: ['green-channel', 'exemption', 'origin-certificate'],
  data: DeclarationAccepted,
});
