import type { Metadata } from 'next';
import localFont from 'next/font/local';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale } from 'next-intl/server';
import { clientMessages } from '@/lib/i18n/client-messages';
import { localeOf } from '@/lib/i18n/locale';
import { MESSAGES } from '@/lib/i18n/messages';
import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/query-provider';
import './globals.css';

// Every page is rendered per request: the CSP nonce (proxy.ts) must be fresh on each one.
export const dynamic = 'force-dynamic';

/**
 * Pretendard, served by the app itself from the npm package (no font CDN: the CSP allows fonts
 * from 'self' only), so Korean renders on machines without CJK fonts, screenshots included. The
 * "subset" files hold Latin and the 2,350 common Hangul syllables: ≈ 270 kB per weight, woff2.
 */
const pretendard = localFont({
  src: [
    { path: '../node_modules/pretendard/dist/web/static/woff2-subset/Pretendard-Regular.subset.woff2', weight: '400', style: 'normal' },
    { path: '../node_modules/pretendard/dist/web/static/woff2-subset/Pretendard-Bold.subset.woff2', weight: '700', style: 'normal' },
  ],
  display: 'swap',
  variable: '--font-pretendard',
  fallback: ['system-ui', 'sans-serif'],
});

export const metadata: Metadata = {
  title: 'Won Checkout',
  description: 'A merchant checkout that never charges twice and never loses a won.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  return (
    <html lang={locale} className={pretendard.variable}>
      <body>
        <NextIntlClientProvider messages={clientMessages(MESSAGES[localeOf(locale)])}>
          <QueryProvider>{children}</QueryProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
