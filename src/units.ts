/**
 * Quantities as the workbench prints them.
 *
 * @module
 */

/** Milliseconds as seconds, without the unit: `0.8`, `12.3`, `754`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 100 ? s.toFixed(1) : s.toFixed(0);
}
