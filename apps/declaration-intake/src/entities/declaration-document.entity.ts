import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { DeclarationEntity } from './declaration.entity';

@Entity({ name: 'declaration_documents' })
export class DeclarationDocumentEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_declaration_documents' })
  id!: string;

  @Column({ name: 'declaration_id', type: 'uuid' })
  declarationId!: string;

  @ManyToOne('DeclarationEntity', (d: DeclarationEntity) => d.documents, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'declaration_id', foreignKeyConstraintName: 'FK_declaration_documents_declaration' })
  declaration?: Relation<DeclarationEntity>;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'varchar', length: 64 })
  number!: string;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ type: 'text', nullable: true })
  uri!: string | null;
}
