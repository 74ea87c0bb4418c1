// Cog's timestamps: ISO 8601 in UTC with microseconds and a `+00:00` offset
// ("2026-11-22T04:04:42.538296+00:00"). Clients parse them with Python's datetime.fromisoformat,
// which before 3.11 accepts only this form, so the shape matters more than the precision.

export function cogTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // …T04:04:42.538Z
  return `${iso.slice(0, -1)}000+00:00`;
}
