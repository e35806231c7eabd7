/**
 * List prices of the observability options (issue #34), one named constant each, with the page it was read from, the
 * date it was read and the words it was read in. Read on 2026-12-02 from the stored copies the search tool serves (no
 * live page is fetched here); where no stored copy gives a rate, the constant is `undefined` and the bench prints
 * "price unknown" rather than a guess.
 */

export interface PriceSource {
  readonly url: string;
  readonly read: string;
  readonly quote: string;
}

/** Amazon Managed Service for Prometheus, metric samples ingested, first tier (the first 2 billion samples a month), USD per sample. */
export const AMP_SAMPLE_INGESTED_FIRST_TIER_USD = 0.90 / 10_000_000;
export const AMP_SAMPLE_INGESTED_FIRST_TIER_SOURCE: PriceSource = {
  url: 'https://aws.amazon.com/prometheus/pricing/',
  read: '2026-12-02',
  // The stored copy of the pricing page stops before its table; AWS's own cost guide prices the first tier from it.
  quote: 'AWS Observability Best Practices, guides/cost/cost-visualization/AmazonManagedServiceforPrometheus.md: "the pricing of '
    + '`Metrics Ingested Tier` for the `First 2 billion samples` mentioned in the official AWS pricing document", as the '
    + 'expression "$A*(0.90/10000000)" (AmazonPrometheusMetrics.json); the guide names no Region',
};
/** Samples a month the first tier covers; the rates above it were not in a stored AWS page, so the bench prices no more. */
export const AMP_FIRST_TIER_SAMPLES = 2_000_000_000;
/** AMP's free tier, per account and month (not deducted by the bench: other workloads of the account share it). */
export const AMP_FREE_SAMPLES = 40_000_000;
export const AMP_FREE_SAMPLES_SOURCE: PriceSource = {
  url: 'https://aws.amazon.com/prometheus/pricing/',
  read: '2026-12-02',
  quote: 'Free Tier customers receive: Metric samples ingested 40 M',
};
/** Assumption, not a price: the series one task of a service exposes (runtime, HTTP and a few business metrics; ADR 0018). */
export const AMP_ASSUMED_SERIES_PER_TASK = 500;

/** AWS X-Ray, traces recorded beyond the free tier, USD per trace. */
export const XRAY_TRACE_RECORDED_USD = 5 / 1_000_000;
/** AWS X-Ray, traces retrieved or scanned beyond the free tier, USD per trace. */
export const XRAY_TRACE_RETRIEVED_OR_SCANNED_USD = 0.5 / 1_000_000;
export const XRAY_SOURCE: PriceSource = {
  // The stored English page was not in the index; the German page is AWS's own, and its worked example is in USD.
  url: 'https://aws.amazon.com/de/xray/pricing/',
  read: '2026-12-02',
  quote: 'Über das kostenlose Nutzungskontingent hinausgehende aufgezeichnete Ablaufverfolgungen werden mit 5 USD pro Million '
    + 'in Rechnung gestellt (0,000005 USD pro Ablaufverfolgung). Über das kostenlose Nutzungskontingent hinausgehende '
    + 'abgerufene oder gescannte Ablaufverfolgungen werden mit 0,50 USD pro Million in Rechnung gestellt (0,0000005 USD pro '
    + 'Ablaufverfolgung).',
};
/** X-Ray's free tier, per account and month (not deducted by the bench). */
export const XRAY_FREE_TRACES_RECORDED = 100_000;
export const XRAY_FREE_TRACES_RETRIEVED_OR_SCANNED = 1_000_000;
/** Assumption, not a price: requests a task of a web service serves per second, each one trace (its root span). */
export const XRAY_ASSUMED_REQUESTS_PER_SECOND_PER_TASK = 5;
/** Assumption, not a price: each recorded trace is scanned once (a query or the console over it); retrievals extra. */
export const XRAY_ASSUMED_SCANS_PER_TRACE = 1;
/**
 * What an OpenTelemetry SDK samples when the task sets no `OTEL_TRACES_SAMPLER` (the platform sets none):
 * `parentbased_always_on`, every trace a request without a sampled parent starts.
 */
export const OTEL_DEFAULT_SAMPLER_SOURCE: PriceSource = {
  url: 'https://opentelemetry.io/docs/languages/sdk-configuration/general/',
  read: '2026-12-02',
  quote: 'OTEL_TRACES_SAMPLER Specifies the Sampler used to sample traces by the SDK. Default value: parentbased_always_on',
};

/**
 * CloudWatch Container Insights (standard, `containerInsights: enabled`): its metrics are billed as CloudWatch custom
 * metrics, at the cluster, service and task-family levels. The per-metric rate was not in a stored copy of the pricing
 * page, so the bench prints "price unknown".
 */
export const CONTAINER_INSIGHTS_STANDARD_METRIC_MONTH_USD: number | undefined = undefined;
export const CONTAINER_INSIGHTS_STANDARD_SOURCE: PriceSource = {
  url: 'https://aws.amazon.com/cloudwatch/pricing/',
  read: '2026-12-02',
  quote: 'Container Insights docs (ContainerInsights.html, as quoted in aws-observability/observability-best-practices issue 123): '
    + '"Metrics collected by Container Insights are charged as custom metrics"; the stored copies of the pricing page stop before '
    + 'the metrics rates',
};
/**
 * Container Insights with enhanced observability for Amazon ECS (`containerInsights: enhanced`): billed per observation,
 * tiered. The per-observation rate was not in a stored copy of the pricing page, so the bench prints "price unknown".
 */
export const CONTAINER_INSIGHTS_ENHANCED_OBSERVATION_USD: number | undefined = undefined;
export const CONTAINER_INSIGHTS_ENHANCED_SOURCE: PriceSource = {
  url: 'https://aws.amazon.com/cloudwatch/pricing/',
  read: '2026-12-02',
  quote: 'CloudWatch pricing, as quoted in aws-observability/observability-best-practices issue 123: "Container Insights with '
    + 'enhanced observability uses a tiered pricing model based on observations"; no stored copy gives the rate',
};
