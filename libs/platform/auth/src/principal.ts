import type { ApiKeyRole } from '@cic/contracts';
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';

/** `declarant` (only its own declarant codes), `operator`, `admin` (DESIGN.md "HTTP"). */
export type Role = ApiKeyRole;

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** For the declarant role: the declarant codes it may submit and read for. */
  declarantCodes: string[];
}

export const ROLES = 'cic:roles';
/** Roles allowed on a handler (any authenticated key when absent). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The principal the ApiKeyGuard authenticated for this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
});

/** Whether the principal may act for a declarant code. */
export function mayActFor(p: Principal, declarantCode: string): boolean {
  return p.role !== 'declarant' || p.declarantCodes.includes(declarantCode);
}
