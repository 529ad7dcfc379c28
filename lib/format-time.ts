/** A timestamp as the dashboard shows it (UTC, to the second); `empty` stands in for none. */
export function formatTime(d: Date | null | undefined, empty = '—'): string {
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) : empty;
}
