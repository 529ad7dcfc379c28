export * from './merchant';
export * from './events';
export * from './refunds';
export * from './psp';
