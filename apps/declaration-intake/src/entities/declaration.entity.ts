import type {
  ClearanceOutcome,
  ExemptionDecided,
  FieldError,
  GreenChannelDecided,
  InspectionDeclaration,
  Reason,
} from '@cic/contracts';
import { Column, Entity, Index, OneToMany, PrimaryColumn, type Relation } from 'typeorm';
import type { DeclarationDocumentEntity } from './declaration-document.entity';
import type { DeclarationLineEntity } from './declaration-line.entity';

/** Where a declaration stands. AWAITING_DECISIONS until the clearance outcome; then the outcome itself. */
export type DeclarationStatus = 'AWAITING_DECISIONS' | ClearanceOutcome;

@Entity({ name: 'declarations' })
@Index('UQ_declarations_declarant_local_ref', ['declarantCode', 'localRef'], {
  unique: true,
  where: `"status" <> 'REJECTED'`,
})
@Index('UQ_declarations_rejected_submission', ['declarantCode', 'localRef', 'payloadHash'], {
  unique: true,
  where: `"status" = 'REJECTED'`,
})
@Index('IX_declarations_decision_due', ['decisionDueAt'], { where: `"status" = 'AWAITING_DECISIONS'` })
@Index('IX_declarations_status_received', ['status', 'receivedAt'])
@Index('IX_declarations_declarant_received', ['declarantCode', 'receivedAt'])
export class DeclarationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'declarant_code', type: 'varchar', length: 18 })
  declarantCode!: string;

  @Column({ name: 'local_ref', type: 'varchar', length: 64 })
  localRef!: string;

  /** sha256 of the canonical submitted payload: same key + same hash = the same submission. */
  @Column({ name: 'payload_hash', type: 'char', length: 64 })
  payloadHash!: string;

  @Column({ type: 'varchar', length: 24 })
  status!: DeclarationStatus;

  @Column({ type: 'varchar', length: 8 })
  channel!: 'http' | 'kafka';

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /**
   * When the decision timeout falls (receipt + DECISION_TIMEOUT_MS). The deadline lives here, in the
   * same row and transaction as the declaration, and a sweep decides what is due: no job per
   * declaration, and no Redis on the path that holds the transaction.
   */
  @Column({ name: 'decision_due_at', type: 'timestamptz', nullable: true })
  decisionDueAt!: Date | null;

  /** W3C traceparent of the submission, so work done later (the timeout sweep) continues its trace. */
  @Column({ name: 'trace_parent', type: 'varchar', length: 55, nullable: true })
  traceParent!: string | null;

  /** What set the current outcome: both decisions, the timeout, an inspection result, or a late decision. */
  @Column({ name: 'settled_by', type: 'varchar', length: 16, nullable: true })
  settledBy!: 'DECISIONS' | 'TIMEOUT' | 'INSPECTION' | 'LATE_DECISION' | null;

  /** Revision of the latest clearance decision (0 before the first). */
  @Column({ type: 'integer', default: 0 })
  revision!: number;

  @Column({ name: 'direct_release', type: 'boolean', nullable: true })
  directRelease!: boolean | null;

  @Column({ type: 'boolean', default: true })
  paperless!: boolean;

  @Column({ name: 'departure_date', type: 'date', nullable: true })
  departureDate!: string | null;

  /** The declaration as submitted (validated, or raw when rejected). */
  @Column({ type: 'jsonb' })
  payload!: InspectionDeclaration | Record<string, unknown>;

  @Column({ name: 'green_channel', type: 'jsonb', nullable: true })
  greenChannel!: GreenChannelDecided | null;

  @Column({ type: 'jsonb', nullable: true })
  exemption!: ExemptionDecided | null;

  @Column({ type: 'jsonb', nullable: true })
  rejection!: { code: string; message: string; errors: FieldError[] } | null;

  /** Reasons of the latest clearance decision. */
  @Column({ type: 'jsonb' })
  reasons!: Reason[];

  @OneToMany('DeclarationLineEntity', (l: DeclarationLineEntity) => l.declaration, { cascade: ['insert'] })
  lines?: Relation<DeclarationLineEntity[]>;

  @OneToMany('DeclarationDocumentEntity', (d: DeclarationDocumentEntity) => d.declaration, {
    cascade: ['insert'],
  })
  documents?: Relation<DeclarationDocumentEntity[]>;
}
