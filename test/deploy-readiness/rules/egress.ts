import { CfnResource, CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

/** The instances that private subnets route their internet traffic to (NAT instances). */
function natInstances(template: CfnTemplate): Array<[string, CfnResource]> {
  const ids = new Set(resourcesOfType(template, 'AWS::EC2::Route')
    .filter(([, route]) => route.Properties?.DestinationCidrBlock === '0.0.0.0/0')
    .map(([, route]) => referencedId(route.Properties?.InstanceId))
    .filter((id): id is string => id !== undefined));
  return [...ids].map(id => [id, template.Resources![id]] as [string, CfnResource]).filter(([, instance]) => instance?.Type === 'AWS::EC2::Instance');
}

function userDataOf(instance: CfnResource): string {
  return JSON.stringify(instance.Properties?.UserData ?? '');
}

export const natInstanceHasPublicAddress: TemplateRule = {
  id: 'nat-instance-has-a-public-address',
  phase: 'create',
  rule: 'A NAT instance forwards the private subnets\' traffic to the internet only with a public IPv4 address (auto-assigned on its '
    + 'network interface, by its subnet, or an Elastic IP) and with the source/destination check off; without one no task pulls its image.',
  source: 'https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html',
  check(template) {
    const subnets = template.Resources ?? {};
    const eips = [...resourcesOfType(template, 'AWS::EC2::EIP'), ...resourcesOfType(template, 'AWS::EC2::EIPAssociation')];
    return natInstances(template).flatMap(([id, instance]) => {
      const p = instance.Properties ?? {};
      const nic = (p.NetworkInterfaces ?? []).find((n: any) => String(n.DeviceIndex) === '0');
      const subnet = subnets[referencedId(nic?.SubnetId ?? p.SubnetId) ?? ''];
      const publicIp = nic?.AssociatePublicIpAddress === true
        || (nic?.AssociatePublicIpAddress === undefined && subnet?.Properties?.MapPublicIpOnLaunch === true)
        || eips.some(([, eip]) => referencedId(eip.Properties?.InstanceId) === id);
      return [
        ...publicIp ? [] : [`${id} is a NAT instance (a 0.0.0.0/0 route targets it) with no public IPv4 address`],
        ...p.SourceDestCheck === false ? [] : [`${id} is a NAT instance with the source/destination check on`],
      ];
    });
  },
  counterexample: {
    Resources: {
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: false } },
      Nat: { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: 'Subnet' }, SourceDestCheck: false } },
      Route: { Type: 'AWS::EC2::Route', Properties: { DestinationCidrBlock: '0.0.0.0/0', InstanceId: { Ref: 'Nat' } } },
    },
  },
};

export const natInstanceSetupComesUp: TemplateRule = {
  id: 'nat-instance-setup-comes-up-every-boot',
  phase: 'create',
  rule: 'On AL2023 a first-boot `yum install iptables-services` can race cloud-init\'s own dnf run and fail, and `service iptables save` does not '
    + 'exist; a NAT instance\'s user data retries the install and saves its rules with iptables-save.',
  source: 'aws/aws-cdk#36717',
  check(template) {
    return natInstances(template).flatMap(([id, instance]) => {
      const userData = userDataOf(instance);
      if (!/iptables/.test(userData)) return [];
      return [
        ...(/for attempt in|while ! (yum|dnf) install/.test(userData) ? [] : [`${id}: the NAT package install is not retried`]),
        ...(/service iptables save/.test(userData) ? [`${id}: \`service iptables save\` does not exist on AL2023; the rules are lost on reboot`] : []),
      ];
    });
  },
  counterexample: {
    Resources: {
      Nat: { Type: 'AWS::EC2::Instance', Properties: { UserData: { 'Fn::Base64': '#!/bin/bash\nyum install iptables-services -y\nsudo service iptables save' } } },
      Route: { Type: 'AWS::EC2::Route', Properties: { DestinationCidrBlock: '0.0.0.0/0', InstanceId: { Ref: 'Nat' } } },
    },
  },
};

export const natGatewayIsPublic: TemplateRule = {
  id: 'nat-gateway-has-an-elastic-ip',
  phase: 'create',
  rule: 'A public NAT gateway needs an Elastic IP allocation and a subnet with a route to an internet gateway; a private one reaches no internet.',
  source: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html',
  check(template) {
    return resourcesOfType(template, 'AWS::EC2::NatGateway')
      .filter(([, gateway]) => gateway.Properties?.ConnectivityType === 'private' || gateway.Properties?.AllocationId === undefined)
      .map(([id]) => `${id} has no Elastic IP: private subnets routed to it reach no internet`);
  },
  counterexample: { Resources: { Gateway: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: 'subnet-1' } } } },
};
