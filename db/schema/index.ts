export * from './merchant';
export * from './events';
export * from './psp';
