import { NestedStack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { reportChildPropsAs } from '../private/errors';
import { logicalPrefix, pascal } from '../private/naming';

/**
 * The nested stack of one workload added to a platform (docs/adr/0015). The workload is its child of the same id, so
 * its logical IDs are those it had in the platform's stack without the platform's prefix, and its bad props are
 * reported at the platform's path as `addWorker('Id').prop`.
 */
export class WorkloadStack extends NestedStack {
  constructor(platform: Construct, id: string, kind: string) {
    // Unindented: a workload's template is read by CloudFormation, not by people (`cdk synth` prints the platform's).
    super(platform, id, { description: `${kind} ${id} of ${platform.node.path}`, suppressTemplateIndentation: true });
    // The platform's stack names this stack in every reference to the workload (pipeline, dashboard, policies): a
    // short logical ID, `<platform path><id>Stack`, instead of CDK's 56 characters keeps that stack under 1 MB longer.
    this.nestedStackResource!.overrideLogicalId(`${logicalPrefix(platform)}${pascal(id)}Stack`);
    reportChildPropsAs(this, id, prop => prop);
  }
}
