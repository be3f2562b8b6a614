import {
  DEFAULT_RULES,
  type GreenChannelRules,
  labHistoryFindings,
  labWindowStart,
} from '@cic/green-channel-domain';
import { ApiKeyGuard, Roles } from '@cic/platform-auth';
import { Controller, Get, Inject, Optional, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { officeDate } from '../lanes/lane-input';
import { GREEN_CHANNEL_RULES } from '../approval/approval.service';
import { enterpriseCode } from '../reference/enterprises.controller';

/**
 * The sampling history learnt from inspection.result.recorded.v1, as the lane sees it: per HS heading,
 * samples and passes over the lab window, and whether the heading is a hard stop today.
 */
@ApiTags('enterprise history')
@ApiBearerAuth()
@Controller('v1/enterprises/:code/sampling-history')
@UseGuards(ApiKeyGuard)
export class SamplingHistoryController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: GreenChannelConfig,
    @Optional() @Inject(GREEN_CHANNEL_RULES) private readonly rules: GreenChannelRules = DEFAULT_RULES,
  ) {}

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary:
      'Sampling results per HS heading over the lab window, with the lab-history hard stop per heading',
  })
  async get(@Param('code') code: string) {
    const enterprise = enterpriseCode(code);
    const asOf = officeDate(new Date(), this.config.OFFICE_TIME_ZONE);
    const since = labWindowStart(asOf, this.rules);
    const rows: Array<{ hs_heading: string; n: number; p: number; last: Date }> = await this.dataSource.query(
      `SELECT hs_heading, count(*)::int AS n, (count(*) FILTER (WHERE outcome = 'PASS'))::int AS p,
              max(recorded_at) AS last
         FROM "${this.config.DB_SCHEMA}"."sample_results"
        WHERE enterprise_code = $1 AND recorded_at >= (($2::date + 1)::timestamp AT TIME ZONE $3)
        GROUP BY hs_heading ORDER BY hs_heading`,
      [enterprise, since, this.config.OFFICE_TIME_ZONE],
    );
    const findings = labHistoryFindings(
      rows.map((r) => ({ heading: r.hs_heading, samples: r.n, passes: r.p })),
      this.rules,
    );
    return {
      enterpriseCode: enterprise,
      asOf,
      windowAfter: since,
      rulesetVersion: this.rules.version,
      headings: findings.map((f, i) => ({ ...f, lastRecordedAt: rows[i].last.toISOString() })),
    };
  }
}
