import { fromIssue } from '@cic/intake-domain';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiKeyGuard, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { ApiKeysService } from './api-keys.service';

const CreateKey = z
  .object({
    name: z.string().min(1).max(100),
    role: z.enum(['declarant', 'operator', 'admin']),
    declarantCodes: z
      .array(z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/))
      .max(100)
      .default([]),
  })
  .refine((k) => k.role !== 'declarant' || k.declarantCodes.length > 0, {
    path: ['declarantCodes'],
    message: 'a declarant key needs at least one declarant code',
  });

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/api-keys')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates a key; the key itself is in this response only. */
  @Post()
  async create(@Body() body: unknown) {
    const parsed = CreateKey.safeParse(body);
    if (!parsed.success) {
      throw new ProblemException(422, 'VALIDATION_FAILED', 'Invalid API key request', undefined, {
        errors: parsed.error.issues.map((i) => fromIssue(i, body)),
      });
    }
    return this.keys.create(parsed.data);
  }

  @Get()
  async list() {
    return (await this.keys.list()).map((k) => ({
      id: k.id,
      name: k.name,
      role: k.role,
      declarantCodes: k.declarantCodes,
      keyPrefix: k.keyPrefix,
      createdAt: k.createdAt.toISOString(),
      revokedAt: k.revokedAt?.toISOString() ?? null,
    }));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.keys.revoke(id)))
      throw new ProblemException(404, 'NOT_FOUND', 'No active key with that id');
  }
}
