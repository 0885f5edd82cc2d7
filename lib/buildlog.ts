/** Build-failure reports: the public entry point; the modules live in lib/buildlog/. */
export * from './buildlog/index.ts';
