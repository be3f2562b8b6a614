export const INTAKE_SCHEMA = 'intake';
