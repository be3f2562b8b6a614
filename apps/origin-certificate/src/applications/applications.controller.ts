import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApplicationBody, pageQuery, Reference, UsccCode, uuidParam } from '../common/schemas';
import { ApplicationsService } from './applications.service';

const ListQuery = pageQuery({ exporterCode: UsccCode.optional(), reference: Reference.optional() });

@ApiTags('applications')
@ApiBearerAuth()
@Controller('v1/certificates/applications')
@UseGuards(ApiKeyGuard)
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @Roles('declarant', 'operator', 'admin')
  @ApiOperation({
    summary: 'Apply for a preferential certificate of origin and get the decision',
    description:
      'Body: {reference, exporter {code, name}, inspectionOffice (6 digits), portOfExit, destinationCountry, ' +
      'departureDate, invoiceNumber, goods[] (the goods lines), originCertificate {agreement, importingCountry, ' +
      'consignee, lines[] {lineNo, fob, criterion, materials[]}, flags}}. Decided at once on the rules of origin ' +
      '(WO, PE, product-specific rules with RVC40, CTH, CTSH, CC, de minimis 10%, accumulation): ISSUED with a ' +
      'signed 16-character certificate, or REFUSED with the reason per line. The reference is the idempotency ' +
      'key per exporter: 201 when decided now, 200 with the first decision for the same body again, 409 for ' +
      'another body. A declarant key applies only for its own codes.',
  })
  async apply(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, view } = await this.applications.apply(parseOr400(ApplicationBody, body), principal);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @Roles('declarant', 'operator', 'admin')
  @ApiOperation({
    summary:
      'Applications, newest first; filters `exporterCode`, `reference`; `limit` (a declarant sees its own)',
  })
  list(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    return this.applications.list(parseOr400(ListQuery, query, { title: 'Invalid query' }), principal);
  }

  @Get(':id')
  @Roles('declarant', 'operator', 'admin')
  @ApiOperation({ summary: 'One application with its decision per line and its certificate' })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.applications.get(uuidParam(id), principal);
  }
}
