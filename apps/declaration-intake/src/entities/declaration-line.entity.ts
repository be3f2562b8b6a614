import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { DeclarationEntity } from './declaration.entity';

@Entity({ name: 'declaration_lines' })
export class DeclarationLineEntity {
  @PrimaryColumn({ name: 'declaration_id', type: 'uuid' })
  declarationId!: string;

  @PrimaryColumn({ name: 'line_no', type: 'smallint' })
  lineNo!: number;

  @ManyToOne('DeclarationEntity', (d: DeclarationEntity) => d.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'declaration_id', foreignKeyConstraintName: 'FK_declaration_lines_declaration' })
  declaration?: Relation<DeclarationEntity>;

  @Column({ name: 'hs_code', type: 'char', length: 10 })
  hsCode!: string;

  @Column({ type: 'varchar', length: 500 })
  description!: string;

  @Column({ name: 'quantity_value', type: 'numeric', precision: 24, scale: 6 })
  quantityValue!: string;

  @Column({ name: 'quantity_unit', type: 'varchar', length: 10 })
  quantityUnit!: string;

  @Column({ name: 'value_amount', type: 'numeric', precision: 24, scale: 6 })
  valueAmount!: string;

  @Column({ name: 'value_currency', type: 'char', length: 3 })
  valueCurrency!: string;

  @Column({ name: 'origin_country', type: 'char', length: 2 })
  originCountry!: string;

  @Column({ name: 'manufacturer_code', type: 'varchar', length: 18, nullable: true })
  manufacturerCode!: string | null;

  @Column({ name: 'dangerous_goods', type: 'varchar', length: 6, nullable: true })
  dangerousGoods!: string | null;

  @Column({ type: 'boolean', default: false })
  bulk!: boolean;
}
