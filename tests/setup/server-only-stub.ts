import { vi } from 'vitest';

// `server-only` throws when imported outside a React Server environment; vitest runs plain Node,
// where importing server modules is exactly what we want.
vi.mock('server-only', () => ({}));
