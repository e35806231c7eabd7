import { CfnResource, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import { Construct, IConstruct } from 'constructs';
import { addLateCheck } from '../private/collected-problems';
import { AMP_QUOTAS, MAX_AMP_WORKSPACES_PER_REGION } from '../private/quotas';
import { removalPolicyOf } from '../private/teardown';
import { invalidProp } from '../private/validation';
import { PrometheusMetricsOptions } from '../service/sidecar-options';

/**
 * Construct ID of the platform's workspace, directly under the platform: its logical ID is public contract and does not
 * depend on which workload asked for it first, so metrics can move from one workload to another without a new workspace.
 */
export const METRICS_WORKSPACE_ID = 'MetricsWorkspace';

/** The workload prop (`service.metrics`, `addWorker('Jobs').metrics`) that created each platform's workspace, for the quota error. */
const createdBy = new WeakMap<IConstruct, string>();

/** The platform's Amazon Managed Service for Prometheus workspace, if a workload created it. */
export function metricsWorkspaceOf(platform: Construct): aps.CfnWorkspace | undefined {
  const child = platform.node.tryFindChild(METRICS_WORKSPACE_ID);
  return child instanceof aps.CfnWorkspace ? child : undefined;
}

/**
 * A workload's metrics with the platform's workspace unless it names one: one workspace per platform, created with
 * the first workload that collects metrics (AMP's quota of workspaces per account and Region is counted at synth). It
 * holds the metrics, so it follows the teardown policy like the platform's other data (retained in production). Found
 * by its construct ID, so a workload whose first attempt was refused (and removed) leaves no stale workspace behind.
 * `onCreate` runs once, when the workspace is created.
 */
export function withMetricsWorkspace(
  platform: Construct, prop: string, metrics: PrometheusMetricsOptions | undefined, onCreate?: (workspace: aps.CfnWorkspace) => void,
): PrometheusMetricsOptions | undefined {
  if (!metrics || metrics.workspaceArn !== undefined) return metrics;
  let workspace = metricsWorkspaceOf(platform);
  if (!workspace) {
    workspace = new aps.CfnWorkspace(platform, METRICS_WORKSPACE_ID, { alias: platform.node.path.replace(/\//g, '-') });
    workspace.applyRemovalPolicy(removalPolicyOf(platform));
    createdBy.set(workspace, `${prop}.metrics`);
    refuseOverQuota(platform, workspace, metrics);
    onCreate?.(workspace);
  }
  return { ...metrics, workspaceArn: workspace.attrArn };
}

/**
 * AMP's workspaces per account and Region, counted at synth over the whole app (every `AWS::APS::Workspace`, the
 * platforms' and any other), by the account and Region of their stacks (an environment-agnostic stack counts with the
 * others of its kind). A platform's workspace past the quota is refused, naming the workload prop that created it.
 */
function refuseOverQuota(platform: Construct, workspace: aps.CfnWorkspace, metrics: PrometheusMetricsOptions): void {
  addLateCheck(platform, () => {
    if (metricsWorkspaceOf(platform) !== workspace) return;
    const where = (resource: IConstruct) => {
      const stack = Stack.of(resource);
      return `${stack.account}/${stack.region}`;
    };
    const same = platform.node.root.node.findAll()
      .filter(c => CfnResource.isCfnResource(c) && c.cfnResourceType === aps.CfnWorkspace.CFN_RESOURCE_TYPE_NAME && where(c) === where(workspace));
    if (same.length <= MAX_AMP_WORKSPACES_PER_REGION) return;
    // The platforms' workspaces past the quota are refused; when every one of them comes before it (the app's other
    // workspaces come later in the tree), the last of them is.
    const ours = same.filter(c => createdBy.has(c));
    const past = ours.filter(c => same.indexOf(c) >= MAX_AMP_WORKSPACES_PER_REGION);
    const refused = past.length > 0 ? past : ours.slice(-1);
    const position = same.indexOf(workspace) + 1;
    if (refused.includes(workspace)) {
      invalidProp(platform, createdBy.get(workspace) ?? 'metrics', metrics, `the app would create ${same.length} Amazon Managed Service for Prometheus workspaces `
        + `in one account and Region (this platform's is number ${position}), over AMP's ${MAX_AMP_WORKSPACES_PER_REGION} per account and Region (${AMP_QUOTAS}); `
        + 'write to an existing workspace with metrics.workspaceArn (e.g. another platform\'s platform.metricsWorkspace.attrArn), or request a quota increase');
    }
  });
}
