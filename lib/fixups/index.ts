export * from './extract.ts';
export * from './explicit.ts';
export * from './target.ts';
export * from './state.ts';
export { isScissorsLine } from './scissors.ts';
