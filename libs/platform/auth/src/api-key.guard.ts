import { ProblemException } from '@cic/platform-http';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { type Principal, type Role, ROLES } from './principal';

/** `Authorization: Bearer <api key>`; the key's role must be among the handler's @Roles. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new ProblemException(
        401,
        'UNAUTHENTICATED',
        'Authentication required',
        'send Authorization: Bearer <api key>',
      );
    const principal = await this.keys.authenticate(match[1]);
    if (!principal) throw new ProblemException(401, 'UNAUTHENTICATED', 'Unknown or revoked API key');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(principal.role)) {
      throw new ProblemException(
        403,
        'FORBIDDEN',
        'Not allowed for this role',
        `requires one of: ${roles.join(', ')}`,
      );
    }
    req.principal = principal;
    return true;
  }
}
