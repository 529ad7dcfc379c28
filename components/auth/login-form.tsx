'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth/auth-client';

const MESSAGES: Record<number, 'wrong' | 'tooMany'> = { 401: 'wrong', 429: 'tooMany' };

export function LoginForm() {
  const t = useTranslations('login');
  const router = useRouter();
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError('');
    const { error: failed } = await authClient.signIn.email({ email: String(form.get('email')), password: String(form.get('password')) });
    setPending(false);
    if (failed) {
      const known = MESSAGES[failed.status];
      setError(known ? t(known) : t('failed'));
      return;
    }
    router.replace('/dashboard');
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="card" style={{ maxWidth: 380, margin: '48px auto' }} data-testid="login-form">
      <h1>{t('title')}</h1>
      <p><label>{t('email')}<br /><input name="email" type="email" autoComplete="username" required style={{ width: '100%' }} data-testid="login-email" /></label></p>
      <p><label>{t('password')}<br /><input name="password" type="password" autoComplete="current-password" required style={{ width: '100%' }} data-testid="login-password" /></label></p>
      {error && <p className="notice error" role="alert" data-testid="login-error">{error}</p>}
      <button type="submit" disabled={pending} style={{ width: '100%' }} data-testid="login-submit">{pending ? t('pending') : t('submit')}</button>
    </form>
  );
}
