import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What happened to a declaration and when: submissions, decisions (late ones too), outcomes, results. */
@Entity({ name: 'declaration_timeline' })
@Index('IX_declaration_timeline_declaration_at', ['declarationId', 'at'])
export class TimelineEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_declaration_timeline' })
  id!: string;

  @Column({ name: 'declaration_id', type: 'uuid' })
  declarationId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  @Column({ type: 'text' })
  summary!: string;

  @Column({ type: 'jsonb', nullable: true })
  detail!: Record<string, unknown> | null;
}
