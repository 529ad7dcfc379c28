'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth/auth-client';

const MESSAGES: Record<number, string> = {
  401: 'Wrong email or password.',
  429: 'Too many sign-in attempts. Wait a minute and try again.',
};

export function LoginForm() {
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
      setError(MESSAGES[failed.status] ?? failed.message ?? 'Sign-in failed. Please try again.');
      return;
    }
    router.replace('/dashboard');
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="card" style={{ maxWidth: 380, margin: '48px auto' }} data-testid="login-form">
      <h1>Merchant sign-in</h1>
      <p><label>Email<br /><input name="email" type="email" autoComplete="username" required style={{ width: '100%' }} data-testid="login-email" /></label></p>
      <p><label>Password<br /><input name="password" type="password" autoComplete="current-password" required style={{ width: '100%' }} data-testid="login-password" /></label></p>
      {error && <p className="notice error" role="alert" data-testid="login-error">{error}</p>}
      <button type="submit" disabled={pending} style={{ width: '100%' }} data-testid="login-submit">{pending ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}
