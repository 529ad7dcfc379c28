import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { LocaleSwitch } from '@/components/locale-switch';

export async function ShopHeader() {
  const t = await getTranslations('shopHeader');
  return (
    <header className="top">
      <strong>Demo Coffee Roasters</strong>
      <nav>
        <Link href="/">{t('shop')}</Link>
        <Link href="/dashboard">{t('dashboard')}</Link>
      </nav>
      <div className="tools"><LocaleSwitch /></div>
    </header>
  );
}
