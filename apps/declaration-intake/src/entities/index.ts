import { ApiKeyEntity } from '@cic/platform-auth';
import { DeclarationDocumentEntity } from './declaration-document.entity';
import { DeclarationLineEntity } from './declaration-line.entity';
import { DeclarationEntity } from './declaration.entity';
import { TimelineEntryEntity } from './timeline-entry.entity';

export * from './declaration-document.entity';
export * from './declaration-line.entity';
export * from './declaration.entity';
export * from './schema';
export * from './timeline-entry.entity';

export const intakeEntities = [
  DeclarationEntity,
  DeclarationLineEntity,
  DeclarationDocumentEntity,
  TimelineEntryEntity,
  ApiKeyEntity,
];
