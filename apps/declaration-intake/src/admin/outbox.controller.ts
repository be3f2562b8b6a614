import { OutboxAdmin } from '@cic/platform-messaging';
import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';

/** Operators see the outbox backlog and the events the broker refused for good (parked). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/outbox')
@UseGuards(ApiKeyGuard)
@Roles('operator', 'admin')
export class OutboxAdminController {
  constructor(private readonly outbox: OutboxAdmin) {}

  @Get()
  async backlog(@Query('limit') limit?: string) {
    const parsed = Number(limit ?? 100);
    return {
      ...(await this.outbox.backlog()),
      parkedEvents: await this.outbox.listParked(Number.isInteger(parsed) ? parsed : 100),
    };
  }

  /** Puts a parked event back in line once its cause is fixed (admin only). */
  @Post('parked/:id/retry')
  @Roles('admin')
  @HttpCode(202)
  async retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    if (!/^\d{1,18}$/.test(id)) throw new ProblemException(400, 'BAD_REQUEST', 'An outbox id is a number');
    if (!(await this.outbox.retryParked(id, `${principal.role}:${principal.name}`)))
      throw new ProblemException(404, 'NOT_FOUND', 'No parked outbox event with that id');
    return { id, status: 'PENDING' };
  }
}
