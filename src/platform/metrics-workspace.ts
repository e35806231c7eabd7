import * as aps from 'aws-cdk-lib/aws-aps';
import { Construct } from 'constructs';
import { removalPolicyOf } from '../private/teardown';
import { PrometheusMetricsOptions } from '../service/sidecar-options';

const workspaces = new WeakMap<Construct, aps.CfnWorkspace>();

/** The platform's Amazon Managed Service for Prometheus workspace, if a workload created it. */
export function metricsWorkspaceOf(platform: Construct): aps.CfnWorkspace | undefined {
  return workspaces.get(platform);
}

/**
 * A workload's metrics with the platform's workspace unless it names one: one workspace per platform, created with
 * the first workload that collects metrics (AMP's default quota is 25 workspaces per Region). It holds the metrics,
 * so it follows the teardown policy like the platform's other data (retained in production).
 */
export function withMetricsWorkspace(platform: Construct, metrics: PrometheusMetricsOptions | undefined): PrometheusMetricsOptions | undefined {
  if (!metrics || metrics.workspaceArn !== undefined) return metrics;
  let workspace = workspaces.get(platform);
  if (!workspace) {
    workspace = new aps.CfnWorkspace(platform, 'MetricsWorkspace', { alias: platform.node.path.replace(/\//g, '-') });
    workspace.applyRemovalPolicy(removalPolicyOf(platform));
    workspaces.set(platform, workspace);
  }
  return { ...metrics, workspaceArn: workspace.attrArn };
}
