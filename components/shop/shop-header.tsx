import Link from 'next/link';

export function ShopHeader() {
  return (
    <header className="top">
      <strong>Demo Coffee Roasters</strong>
      <nav>
        <Link href="/">Shop</Link>
        <Link href="/dashboard">Merchant dashboard</Link>
      </nav>
    </header>
  );
}
