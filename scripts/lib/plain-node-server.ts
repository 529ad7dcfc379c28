import Module from 'node:module';

/**
 * Lets a command-line script import server modules (those marked with `import 'server-only'`,
 * such as the PSP sandbox's API handler). The marker throws unless React's server build is in
 * use; a Node script is a server process, so it gets the marker's empty module instead.
 * Import this first: the modules it unlocks must be loaded after it.
 */
const marker = require.resolve('server-only');
const empty = new Module(marker);
empty.filename = marker;
empty.loaded = true;
require.cache[marker] = empty;

// Library code logs through pino at LOG_LEVEL; a script's own output is what matters here.
process.env.LOG_LEVEL ??= 'silent';
