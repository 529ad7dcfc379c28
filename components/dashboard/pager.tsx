import Link from 'next/link';

export function Pager({ page, pageCount, total, href }: { page: number; pageCount: number; total: number; href: (page: number) => string }) {
  return (
    <div className="pager" data-testid="pager">
      {page > 1 ? <Link href={href(page - 1)}>← Newer</Link> : <span className="muted">← Newer</span>}
      <span className="muted">Page {page} of {pageCount} · {total} in all</span>
      {page < pageCount ? <Link href={href(page + 1)}>Older →</Link> : <span className="muted">Older →</span>}
    </div>
  );
}
