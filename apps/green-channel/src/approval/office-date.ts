/** The calendar date (YYYY-MM-DD) at `now` in the office's time zone (config.OFFICE_TIME_ZONE). */
export function officeToday(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
