/**
 * Docker's legacy plugins: discovery in the plugin directories, the HTTP client of the
 * plugin protocol, and the store of activated plugins. No server code.
 */
export * from './discovery.js';
export * from './plugin-client.js';
export * from './plugin-store.js';
