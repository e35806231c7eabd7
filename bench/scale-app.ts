/**
 * A platform of `workloads` added workloads (web services, workers and scheduled jobs in turn, each in a stack of its
 * own unless `ownStack` is false) with database, cache and data bucket, built from the compiled library (lib/).
 */
import { App, Stack } from 'aws-cdk-lib';
// The bench measures the published JavaScript, not ts-node's transpiling of src/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BackendPlatform } = require('../lib') as typeof import('../src');

export const KINDS = ['web', 'worker', 'job'] as const;

export function createScaleApp(app: App, workloads: number, ownStack = true, kinds: readonly string[] = KINDS): Stack[] {
  const stack = new Stack(app, `Scale${workloads}`, { env: { account: '123456789012', region: 'eu-west-1' } });
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod', database: {}, cache: {}, dataBucket: {}, alarmEmails: ['ops@example.com'],
  });
  for (let i = 0; i < workloads; i++) {
    const kind = kinds[i % kinds.length];
    if (kind === 'web') platform.addService(`Web${i}`, { pathPatterns: [`/web${i}/*`], ownStack });
    if (kind === 'worker') platform.addWorker(`Worker${i}`, { queue: {}, ownStack });
    if (kind === 'job') platform.addScheduledJob(`Job${i}`, { command: ['node', 'job.js'], taskType: `JOB${i}`, ownStack });
  }
  return [stack];
}
