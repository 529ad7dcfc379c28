export * from './merchant';
export * from './psp';
