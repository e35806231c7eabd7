/**
 * Observability options (issue #34), each priced alone: the headline app with metrics and tracing on its service, in
 * both profiles (Container Insights by profile: enhanced in production, standard in development). The sources of every
 * price and assumption are in bench/observability-prices.ts; a price no stored AWS page gives prints "price unknown".
 * `npx projen bench` prints it after the cost estimate; it needs lib/ (the compiled library), like the rest of the bench.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { estimateObservabilityCost } from './cost';
import * as observability from './observability-prices';
import { createPlatformApp } from './platform-app';

export function printObservabilityOptions(): void {
  const observed = new App();
  console.log('\nObservability options (USD/month at minimum task counts; free tiers, per account, not deducted)');
  for (const stack of createPlatformApp(observed, ['production', 'development'], { metrics: { port: 9464 }, tracing: true })) {
    const lines = estimateObservabilityCost(Template.fromStack(stack).toJSON() as Parameters<typeof estimateObservabilityCost>[0]);
    console.log(`\n  platform ${stack.stackName} with service.metrics and service.tracing:`);
    for (const option of [...new Set(lines.map(l => l.option))]) {
      const mine = lines.filter(l => l.option === option);
      const known = mine.every(l => l.monthlyUsd !== undefined);
      const total = (known ? mine.reduce((sum, l) => sum + l.monthlyUsd!, 0).toFixed(2) : 'price unknown').padStart(13);
      console.log(`    ${total}  ${option}`);
      for (const line of mine) console.log(`                   ${line.monthlyUsd === undefined ? 'price unknown: ' : `${line.monthlyUsd.toFixed(2)}: `}${line.item}`);
    }
  }
  const source = (name: string, s: observability.PriceSource) => console.log(`  ${name}: ${s.url} (read ${s.read})`);
  console.log(`\n  Prices: AMP ${(observability.AMP_SAMPLE_INGESTED_FIRST_TIER_USD * 1e7).toFixed(2)} USD per 10 M samples up to`
    + ` ${observability.AMP_FIRST_TIER_SAMPLES / 1e9} billion a month (past that: price unknown); X-Ray ${(observability.XRAY_TRACE_RECORDED_USD * 1e6).toFixed(2)} USD`
    + ` per million traces recorded, ${(observability.XRAY_TRACE_RETRIEVED_OR_SCANNED_USD * 1e6).toFixed(2)} per million retrieved or scanned;`
    + ' Container Insights standard and enhanced: price unknown');
  source('AMP', observability.AMP_SAMPLE_INGESTED_FIRST_TIER_SOURCE);
  source('X-Ray', observability.XRAY_SOURCE);
  source('Container Insights standard', observability.CONTAINER_INSIGHTS_STANDARD_SOURCE);
  source('Container Insights enhanced', observability.CONTAINER_INSIGHTS_ENHANCED_SOURCE);
  source('Sampling (OpenTelemetry SDK default)', observability.OTEL_DEFAULT_SAMPLER_SOURCE);
}
