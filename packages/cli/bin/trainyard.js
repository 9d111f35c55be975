#!/usr/bin/env node
// The `trainyard` command: runs the TypeScript sources through tsx, as the repo's other scripts.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
