import { ApiKeyGuard, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { uuidParam } from '../common/schemas';
import { ExemptionDecider } from './exemption-decider';

@ApiTags('decisions')
@ApiBearerAuth()
@Controller('v1/decisions')
@UseGuards(ApiKeyGuard)
export class DecisionsController {
  constructor(
    private readonly decider: ExemptionDecider,
    private readonly db: DataSource,
  ) {}

  @Get(':declarationId')
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'The exemption decision of a declaration, as published (inspection.exemption.decided.v1)',
  })
  async get(@Param('declarationId') id: string) {
    const declarationId = uuidParam(id);
    const found = await this.decider.get(this.db, declarationId);
    if (!found) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no decision for ${declarationId}`);
    return found;
  }
}
