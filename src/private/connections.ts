import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Opens `port` of `group` to `client`. In one stack the rule lives with the group, where `Connections.allowFrom` puts
 * it; a client in another stack (a workload in a stack of its own) keeps the rule in its own stack, so adding or
 * removing the client never changes the group's stack (docs/adr/0015).
 */
export function admitClient(group: ec2.ISecurityGroup, client: ec2.IConnectable, port: ec2.Port, description: string): void {
  const clientGroups = client.connections.securityGroups;
  if (clientGroups.every(clientGroup => Stack.of(clientGroup) === Stack.of(group))) {
    group.connections.allowFrom(client, port, description);
    return;
  }
  clientGroups.forEach(clientGroup => group.addIngressRule(clientGroup, port, description, true));
}
