/** Points are kept in hundredths ("cents") so that every sum is exact. */

/** Hundredths as points: 600 → 6, 267 → 2.67. */
export function centsToPoints(cents: number): number {
  return cents / 100;
}

/** Hundredths as people write points: 600 → "6", 250 → "2.5". */
export function formatCents(cents: number): string {
  return String(cents / 100);
}
