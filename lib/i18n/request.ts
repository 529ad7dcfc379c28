import { cookies } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, localeOf } from './locale';
import { MESSAGES } from './messages';

/** next-intl's per-request configuration: the language from the cookie, times in Korea. */
export default getRequestConfig(async () => {
  const locale = localeOf((await cookies()).get(LOCALE_COOKIE)?.value);
  return { locale, messages: MESSAGES[locale], timeZone: 'Asia/Seoul' };
});
