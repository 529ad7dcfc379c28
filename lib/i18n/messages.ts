import en from '@/messages/en.json';
import ko from '@/messages/ko.json';
import type { Locale } from './locale';

/** Every message of the app, one file per language (messages/ko.json, messages/en.json). */
export type Messages = typeof ko;

export const MESSAGES: Record<Locale, Messages> = { ko, en };
