import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { proxy } from '@/proxy';
import { strictTransportSecurity } from '@/lib/security/request-guard';

const APP = 'http://localhost:3000';
const call = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  proxy(new NextRequest(new URL(path, APP), { method: init.method ?? 'GET', headers: init.headers }));

async function expectRefused(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
}

describe('proxy: malformed paths are a 400 in the error shape, before any route', () => {
  for (const path of ['/api/orders/%ZZ', '/api/orders/%E0%A4%A', '/checkout/%', '/api/orders/ord_%00x', '/psp/v1/payments/%C0%AF']) {
    it(path, async () => expectRefused(call(path), 400, 'MALFORMED_URL'));
  }
  it('a well-formed encoded path passes', () => {
    expect(call('/api/orders/ord_%41bc').status).toBe(200);
  });
});

describe('proxy: a mutation that can ride a session needs a same-origin signal (issue 11 item 9)', () => {
  const action = { 'next-action': 'abc123', 'content-type': 'text/plain;charset=UTF-8' };
  it('refuses a server action with no Origin and no Sec-Fetch-Site', async () => {
    await expectRefused(call('/dashboard/settings', { method: 'POST', headers: { ...action, cookie: 'better-auth.session_token=x' } }), 403, 'FORBIDDEN_ORIGIN');
  });
  it('refuses a forged Origin that matches a client-supplied X-Forwarded-Host', async () => {
    await expectRefused(call('/dashboard/settings', {
      method: 'POST',
      headers: { ...action, cookie: 'x=1', origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', host: 'evil.example' },
    }), 403, 'FORBIDDEN_ORIGIN');
  });
  it('refuses a cookie-carrying POST to a route handler from another site', async () => {
    await expectRefused(call('/api/payments/pay_x/refunds', { method: 'POST', headers: { cookie: 'x=1', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } }), 403, 'FORBIDDEN_ORIGIN');
  });
  it('lets the app\'s own pages through (Sec-Fetch-Site or Origin)', () => {
    expect(call('/dashboard/settings', { method: 'POST', headers: { ...action, cookie: 'x=1', 'sec-fetch-site': 'same-origin' } }).status).toBe(200);
    expect(call('/dashboard/settings', { method: 'POST', headers: { ...action, cookie: 'x=1', origin: APP } }).status).toBe(200);
  });
  it('lets cookie-less calls through (PSP webhooks, API keys) and never blocks reads', () => {
    expect(call('/api/webhooks/psp', { method: 'POST' }).status).toBe(200);
    expect(call('/api/merchant/orders', { headers: { cookie: 'x=1' } }).status).toBe(200);
  });
});

describe('HSTS only when the app is served over https', () => {
  it('is sent for an https APP_URL and never for http', () => {
    expect(strictTransportSecurity('https://shop.example')).toMatch(/max-age=\d+/);
    expect(strictTransportSecurity('http://localhost:3000')).toBeNull();
  });
});
