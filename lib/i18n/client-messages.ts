import type { Messages } from './messages';

/**
 * The message namespaces client components read with `useTranslations`. Only these go to the
 * browser with each page (the root layout's provider serialises them into every response: the
 * whole catalogue was ~24 kB of each page, these ~8 kB). Server components read every namespace
 * on the server. tests/i18n/client-messages.test.ts fails when a component uses one not listed.
 */
export const CLIENT_NAMESPACES = [
  'cancelVirtualAccount', 'checkout', 'common', 'confirm', 'fail', 'login', 'order', 'orders', 'overview',
  'refundForm', 'settings', 'storefront', 'virtualAccount',
] as const satisfies readonly (keyof Messages)[];

export function clientMessages(messages: Messages): Pick<Messages, (typeof CLIENT_NAMESPACES)[number]> {
  return Object.fromEntries(CLIENT_NAMESPACES.map((ns) => [ns, messages[ns]])) as Pick<Messages, (typeof CLIENT_NAMESPACES)[number]>;
}
