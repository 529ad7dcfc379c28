import type { Messages } from '@/lib/i18n/messages';
import type { Locale } from '@/lib/i18n/locale';

// Message keys are checked by the type checker: a typo in t('…') fails `tsc`.
declare module 'next-intl' {
  interface AppConfig {
    Locale: Locale;
    Messages: Messages;
  }
}
