import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { actorOf, pageQuery, ProductScope, UsccCode, uuidParam } from '../common/schemas';
import { ApplicationsService } from './applications.service';

/** POST /v1/applications. The evidence (results, certificates, disputes) is what the service holds. */
export const ApplicationBody = z.strictObject({ enterpriseCode: UsccCode, productScope: ProductScope });
const ListQuery = pageQuery({ enterpriseCode: UsccCode.optional(), cursor: z.uuid().optional() });

@ApiTags('applications')
@ApiBearerAuth()
@Controller('v1/applications')
@UseGuards(ApiKeyGuard)
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Submit an application and get its evaluation',
    description:
      'Body: {enterpriseCode, productScope: [HS prefixes of 4-10 digits]}. Evaluated today (office time zone) on the ' +
      "evidence this service holds: inspection results from inspection.result.recorded.v1 and the enterprise's " +
      'certificates and quality disputes recorded under /v1/enterprises/{code}/…. The answer lists every condition ' +
      '(ENTERPRISE_CODE, CLEAN_INSPECTION_HISTORY, NO_QUALITY_DISPUTES, QUALITY_CERTIFICATE, EXEMPTIBLE_PRODUCT) with ' +
      'its evidence and, when not met, why. 201 whether or not it qualifies.',
  })
  submit(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.applications.submit(parseOr400(ApplicationBody, body), actorOf(principal));
  }

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Applications, by id; filter `enterpriseCode`, paged with `limit` and `cursor`' })
  list(@Query() query: Record<string, unknown>) {
    return this.applications.list(parseOr400(ListQuery, query, { title: 'Invalid query' }));
  }

  @Get(':id')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'One application with its evaluation and the grant made from it' })
  get(@Param('id') id: string) {
    return this.applications.get(uuidParam(id));
  }
}
