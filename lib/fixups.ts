/** Inline fixup patches: see lib/fixups/ (extract, explicit targets, target, state). */
export * from './fixups/index.ts';
