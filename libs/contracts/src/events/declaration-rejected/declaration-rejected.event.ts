import { z } from 'zod';
import { DeclarationId, FieldError, IsoDateTime } from '../../common.schema';
import { defineTopic } from '../../topic';

export const DeclarationRejected = z.object({
  /** Present when intake stored the rejected declaration (status REJECTED). */
  declarationId: DeclarationId.optional(),
  localRef: z.string().min(1),
  declarantCode: z.string().min(1),
  rejectedAt: IsoDateTime,
  /** VALIDATION_FAILED, LOCAL_REF_CONFLICT, ... */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  message: z.string().min(1),
  errors: z.array(FieldError),
});
export type DeclarationRejected = z.infer<typeof DeclarationRejected>;

export const DeclarationRejectedV1 = defineTopic({
  name: 'inspection.declaration.rejected.v1',
  summary: 'Intake refused a submitted declaration, with field-level errors.',
  key: 'declarationId, or <declarantCode>:<localRef> when nothing was stored',
  producer: 'declaration-intake',
  consumers: ['customs-system'],
  data: DeclarationRejected,
});
