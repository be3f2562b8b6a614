import { ApiKeyGuard, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApplicationsService } from '../applications/applications.service';
import { uuidParam } from '../common/schemas';

@ApiTags('decisions')
@ApiBearerAuth()
@Controller('v1/decisions')
@UseGuards(ApiKeyGuard)
export class DecisionsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Get(':declarationId')
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: "A declaration's origin decision (inspection.origin.decided.v1) with the figures per line",
  })
  async get(@Param('declarationId') id: string) {
    const declarationId = uuidParam(id);
    const found = await this.applications.byDeclaration(declarationId);
    if (!found)
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no origin decision for ${declarationId}`);
    return found;
  }
}
