import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { db } from '@/db';
import { LocaleSwitch } from '@/components/locale-switch';
import { storeName } from '@/lib/store/store-name';

export async function ShopHeader() {
  const [t, shop] = await Promise.all([getTranslations('shopHeader'), storeName(db())]);
  return (
    <header className="top">
      <strong data-testid="shop-name">{shop}</strong>
      <nav>
        <Link href="/">{t('shop')}</Link>
        <Link href="/dashboard">{t('dashboard')}</Link>
      </nav>
      <div className="tools"><LocaleSwitch /></div>
    </header>
  );
}
