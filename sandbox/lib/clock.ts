/** The sandbox reads time only through a Clock, so tests can move it (e.g. past the 10-minute window). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** Toss's timestamp format: `yyyy-MM-dd'T'HH:mm:ss+09:00` (Korean time, no fraction). */
export function toKstIso(at: Date): string {
  return `${new Date(at.getTime() + KST_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}

/** `yyyyMMddHHmmss` in Korean time, as embedded in Toss's paymentKeys. */
export function kstStamp(at: Date): string {
  return toKstIso(at).slice(0, 19).replace(/[-T:]/g, '');
}

/** The Korean calendar day of an instant, `yyyy-MM-dd`. */
export function kstDate(at: Date): string {
  return toKstIso(at).slice(0, 10);
}

/**
 * Toss's webhook `createdAt`: `yyyy-MM-dd'T'HH:mm:ss.SSSSSS`, Korean time, without an offset
 * (reference §0). JS dates have milliseconds; the last three digits are 0.
 */
export function kstLocalMicros(at: Date): string {
  return `${new Date(at.getTime() + KST_OFFSET_MS).toISOString().slice(0, 23)}000`;
}
