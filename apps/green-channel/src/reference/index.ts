import type { OpenApiBody } from '@cic/platform-http';
import { EnterprisesController } from './enterprises.controller';
import { EnterprisesService } from './enterprises.service';
import { ReferenceImportController } from './reference-import.controller';
import { ReferenceImportService } from './reference-import.service';
import { EnterpriseBody, RiskAlertBody, RiskAlertCreateBody, ZoneBody } from './reference.schemas';
import { RiskAlertsController } from './risk-alerts.controller';
import { RiskAlertsService } from './risk-alerts.service';
import { ZonesController } from './zones.controller';
import { ZonesService } from './zones.service';

export const referenceControllers = [
  EnterprisesController,
  ZonesController,
  RiskAlertsController,
  ReferenceImportController,
];
export const referenceProviders = [
  EnterprisesService,
  ZonesService,
  RiskAlertsService,
  ReferenceImportService,
];

/** Request bodies for setupOpenApi({ bodies }), from the schemas the handlers parse with. */
export const referenceOpenApiBodies: OpenApiBody[] = [
  { method: 'put', path: '/v1/enterprises/{code}', name: 'EnterpriseBody', schema: EnterpriseBody },
  { method: 'put', path: '/v1/zones/{id}', name: 'ZoneBody', schema: ZoneBody },
  { method: 'post', path: '/v1/risk-alerts', name: 'RiskAlertCreateBody', schema: RiskAlertCreateBody },
  { method: 'put', path: '/v1/risk-alerts/{id}', name: 'RiskAlertBody', schema: RiskAlertBody },
];

export { EnterprisesService } from './enterprises.service';
export { RiskAlertsService } from './risk-alerts.service';
export { ZonesService } from './zones.service';
export { ReferenceImportService } from './reference-import.service';
export type { Actor } from './reference.sql';
