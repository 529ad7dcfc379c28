import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/query-provider';
import './globals.css';

// Every page is rendered per request: the CSP nonce (proxy.ts) must be fresh on each one.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Won Checkout',
  description: 'A merchant checkout that never charges twice and never loses a won.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
