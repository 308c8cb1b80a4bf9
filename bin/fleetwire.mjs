#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npm start`, `npx fleetwire` and the tests share one code path.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
