'use client';

import { useRouter } from 'next/navigation';
import { authClient } from '@/lib/auth/auth-client';

export function LogoutButton() {
  const router = useRouter();
  return (
    <button className="secondary" data-testid="logout" onClick={async () => {
      await authClient.signOut();
      router.replace('/login');
      router.refresh();
    }}>Sign out</button>
  );
}
