export * from './builders.ts';
export * from './core.ts';
export * from './function.ts';
export * from './metrics.ts';
