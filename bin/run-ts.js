#!/usr/bin/env node
// Run a TypeScript entry point (used by `npm run bench`).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [entry, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(resolve(entry)).href);
