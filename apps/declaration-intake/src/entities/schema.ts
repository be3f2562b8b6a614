/**
 * Default schema of the service's tables. Entities name no schema of their own: the DataSource sets it
 * from DB_SCHEMA (default this), so test runs and environments can each have theirs.
 */
export const INTAKE_SCHEMA = 'intake';
