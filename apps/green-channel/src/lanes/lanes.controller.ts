import { ApiKeyGuard, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { Controller, Get, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LaneQueries, type LaneView } from './lane.queries';

@ApiTags('lanes')
@ApiBearerAuth()
@Controller('v1/lanes')
@UseGuards(ApiKeyGuard)
@Roles('operator', 'admin')
export class LanesController {
  constructor(private readonly lanes: LaneQueries) {}

  @Get()
  @ApiOperation({ summary: 'Lanes per state, checks waiting and lanes past their check deadline' })
  summary() {
    return this.lanes.summary();
  }

  @Get(':declarationId')
  @ApiOperation({
    summary: "A declaration's lane: pending or decided, the decision as published, and each slow check",
  })
  async get(@Param('declarationId', new ParseUUIDPipe()) id: string): Promise<LaneView> {
    const lane = await this.lanes.get(id);
    if (!lane)
      throw new ProblemException(
        404,
        'LANE_NOT_FOUND',
        'No lane for this declaration',
        'green-channel has not received its accepted event (yet)',
      );
    return lane;
  }
}
