/** Syscall tables, the changes patches make to them, and the links from mail to those changes. */
export * from './table.ts';
export * from './diff.ts';
export * from './names.ts';
export * from './links.ts';
