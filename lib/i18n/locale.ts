/**
 * The app's languages: Korean first (the shop's customers and merchants are in Korea), English
 * second. The choice lives in a cookie so every page, server- or client-rendered, sees the same
 * one without a locale in the URL. Pure: used by the app, its pages and the PSP sandbox.
 */
export const LOCALES = ['ko', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'ko';
export const LOCALE_COOKIE = 'locale';

/** Anything but a known locale (a missing or forged cookie) means the default. */
export function localeOf(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : DEFAULT_LOCALE;
}

/** The cookie the language switch sets: a year, whole site, not sent cross-site. */
export function localeCookie(locale: Locale): string {
  return `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`;
}
