import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, NoBody } from '../common/schemas';
import { SigningKeys } from './signing-keys';

@ApiTags('signing keys')
@ApiBearerAuth()
@Controller('v1/signing-keys')
@UseGuards(ApiKeyGuard)
export class SigningKeysController {
  constructor(private readonly keys: SigningKeys) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The signing keys (kid, created, retired); never their private halves' })
  list() {
    return this.keys.list().then((items) => ({ items }));
  }

  @Post('rotate')
  @Roles('admin')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Rotate: retire the active key (it stays published) and sign from now on with a new one',
  })
  rotate(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    parseOr400(NoBody, body);
    return this.keys.rotate(actorOf(principal));
  }
}
