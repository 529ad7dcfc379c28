/**
 * The chaos run's HTTP client: every call ends in an answer or an error, never an exception, so a
 * shopper loop decides what a browser would do next (retry, reload, give up).
 */
/** `ms`: how long the call took, answer or not. */
export type Answer =
  | { kind: 'answer'; status: number; body: any; location: string | null; ms: number }
  | { kind: 'network-error'; error: string; ms: number };

export async function call(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 20_000) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // an HTML page (the sandbox window's error page) or an empty body: keep the text
    }
    return { kind: 'answer', status: res.status, body, location: res.headers.get('location'), ms: ms() };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { kind: 'network-error', error: e.cause?.code ?? e.cause?.message ?? e.name ?? String(err), ms: ms() };
  }
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** 2xx with a body. */
export const isOk = (a: Answer): a is Extract<Answer, { kind: 'answer' }> => a.kind === 'answer' && a.status >= 200 && a.status < 300;

/** What a browser shows as "something went wrong, try again": no answer or a 5xx. */
export const isTransient = (a: Answer) => a.kind === 'network-error' || a.status >= 500;

export function describe(a: Answer): string {
  if (a.kind === 'network-error') return `network error (${a.error})`;
  const code = typeof a.body === 'object' && a.body ? (a.body.error?.code ?? a.body.code) : undefined;
  return `${a.status}${code ? ` ${code}` : ''}`;
}
