export * from './merchant';
export * from './events';
export * from './refunds';
export * from './auth';
export * from './merchant-access';
export * from './rate-limits';
export * from './virtual-accounts';
