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

/** A duration as a user writes it (`90s`, `10m`, `1.5h`, or plain seconds) in milliseconds; null if it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (m === null) return null;
  const amount = Number(m[1]);
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000;
  const ms = amount * unit;
  return ms > 0 ? ms : null;
}
