'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { authClient } from '@/lib/auth/auth-client';

export function LogoutButton() {
  const router = useRouter();
  const t = useTranslations('common');
  return (
    <button className="secondary" data-testid="logout" onClick={async () => {
      await authClient.signOut();
      router.replace('/login');
      router.refresh();
    }}>{t('signOut')}</button>
  );
}
