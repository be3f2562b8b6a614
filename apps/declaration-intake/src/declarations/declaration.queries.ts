import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Principal, mayActFor } from '@cic/platform-auth';
import { DeclarationEntity, TimelineEntryEntity } from '../entities';
import { ProblemException } from '@cic/platform-http';
import { declarationSummary, declarationView } from './declaration.view';

export interface ListFilter {
  status?: string;
  declarantCode?: string;
  receivedFrom?: Date;
  receivedTo?: Date;
  page: number;
  pageSize: number;
}

@Injectable()
export class DeclarationQueries {
  constructor(private readonly dataSource: DataSource) {}

  async get(id: string, principal: Principal) {
    const d = await this.dataSource.getRepository(DeclarationEntity).findOneBy({ id });
    // Another declarant's declaration is answered exactly like a missing one: no existence leak.
    if (!d || !mayActFor(principal, d.declarantCode))
      throw new ProblemException(
        404,
        'NOT_FOUND',
        'Declaration not found',
        `no declaration ${id} visible to this key`,
      );
    const timeline = await this.dataSource
      .getRepository(TimelineEntryEntity)
      .find({ where: { declarationId: id }, order: { at: 'ASC', id: 'ASC' } });
    return declarationView(d, timeline);
  }

  async list(filter: ListFilter, principal: Principal) {
    const qb = this.dataSource.getRepository(DeclarationEntity).createQueryBuilder('d');
    if (principal.role === 'declarant') {
      if (filter.declarantCode && !principal.declarantCodes.includes(filter.declarantCode)) {
        return { items: [], page: filter.page, pageSize: filter.pageSize, total: 0 };
      }
      qb.andWhere('d.declarant_code = ANY(:codes)', {
        codes: filter.declarantCode ? [filter.declarantCode] : principal.declarantCodes,
      });
    } else if (filter.declarantCode) {
      qb.andWhere('d.declarant_code = :code', { code: filter.declarantCode });
    }
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.receivedFrom) qb.andWhere('d.received_at >= :from', { from: filter.receivedFrom });
    if (filter.receivedTo) qb.andWhere('d.received_at < :to', { to: filter.receivedTo });
    qb.orderBy('d.received_at', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .skip((filter.page - 1) * filter.pageSize)
      .take(filter.pageSize);
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(declarationSummary), page: filter.page, pageSize: filter.pageSize, total };
  }
}
