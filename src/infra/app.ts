/**
 * The CDK app (`cdk.json` runs it with `npx tsx src/infra/app.ts`). The CLI synthesizes it when the process
 * exits, so there is no explicit `app.synth()`.
 */
import { App } from 'aws-cdk-lib';
import { addFleetwireStacks } from './fleetwire-app.ts';

addFleetwireStacks(new App());
