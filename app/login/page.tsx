import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { ShopHeader } from '@/components/shop/shop-header';
import { merchantFromHeaders } from '@/lib/auth/merchant-context';

export const dynamic = 'force-dynamic';

export default async function LoginPage() {
  if (await merchantFromHeaders(await headers())) redirect('/dashboard');
  return (
    <>
      <ShopHeader />
      <main><LoginForm /></main>
    </>
  );
}
