/**
 * How long `cdk synth` of the Fleetwire app takes in-process (what `npm run synth` spends after start-up),
 * the first time in a process (loading aws-cdk-lib and its template validation) and again. Prints
 * milliseconds; the last line is JSON.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addFleetwireStacks } from '../src/infra/fleetwire-app.ts';

const context = (
  JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

function synthMs(): number {
  const outdir = mkdtempSync(join(tmpdir(), 'fleetwire-bench-'));
  try {
    const started = performance.now();
    const app = new App({ context, outdir });
    addFleetwireStacks(app);
    app.synth();
    return Math.round(performance.now() - started);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const withValidation = synthMs();
const again = synthMs();
console.log(`synth (first in the process): ${withValidation} ms`);
console.log(`synth (second, same process):   ${again} ms`);
console.log(JSON.stringify({ synthFirstMs: withValidation, synthSecondMs: again }));
