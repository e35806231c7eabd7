import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ProfileDefaults } from './profiles';
import { acknowledge } from '../private/compliance';
import { createLogGroup } from '../private/log-group';

/**
 * The platform's VPC: two AZs, public / private-with-egress / isolated subnets, flow logs to an encrypted log group,
 * and the profile's egress (a NAT gateway per AZ, or one hardened t4g.nano NAT instance, about 4 USD/month
 * instead of 37 for a NAT gateway).
 */
export function createPlatformVpc(scope: Construct, profile: ProfileDefaults, logsKey: kms.IKey): ec2.Vpc {
  const flowLogGroup = createLogGroup(scope, 'FlowLogs', profile.logRetention, logsKey);
  const natInstance = profile.natInstance ? ec2.NatProvider.instanceV2({
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    defaultAllowedTraffic: ec2.NatTrafficDirection.NONE,
    // The public subnets do not map public IPs on launch (nothing else there should get one): a NAT instance
    // without a public address forwards nothing (aws-cdk-lib ec2 README, "NAT instances").
    associatePublicIpAddress: true,
    userData: natInstanceUserData(),
  }) : undefined;
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: profile.natGateways,
    natGatewayProvider: natInstance,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL } },
  });
  if (natInstance) hardenNatInstance(vpc, natInstance);
  return vpc;
}

/**
 * The NAT setup of AWS's NAT instance guide for AL2023, made to come up on every boot: the package install is retried
 * (on first boot it races cloud-init's own dnf run and can fail, aws/aws-cdk#36717), the outbound interface comes
 * from `ip route` (no net-tools), and the rules are saved with `iptables-save` (AL2023 has no `service` command,
 * which aws-cdk-lib's default script uses to persist them), so a reboot keeps forwarding.
 */
const NAT_USER_DATA_COMMANDS = [
  'for attempt in $(seq 1 30); do dnf install -y iptables-services && break; echo "dnf install failed (attempt $attempt), retrying"; sleep 10; done',
  'echo "net.ipv4.ip_forward=1" > /etc/sysctl.d/90-nat-forwarding.conf',
  'sysctl -p /etc/sysctl.d/90-nat-forwarding.conf',
  'systemctl enable --now iptables',
  'OUT_IFACE=$(ip -4 route show default | awk \'{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }\')',
  'iptables -t nat -A POSTROUTING -o "$OUT_IFACE" -j MASQUERADE',
  'iptables -F FORWARD',
  'iptables-save > /etc/sysconfig/iptables',
];

function natInstanceUserData(): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(...NAT_USER_DATA_COMMANDS);
  return userData;
}

/** Only the VPC may send through the NAT instance; its disk is encrypted and its metadata needs IMDSv2 tokens. */
function hardenNatInstance(vpc: ec2.Vpc, nat: ec2.NatInstanceProviderV2): void {
  nat.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.allTraffic(), 'Egress of the VPC through the NAT instance');
  nat.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.allTcp(), 'NAT to the internet (TCP)');
  nat.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.allUdp(), 'NAT to the internet (UDP)');
  for (const instance of nat.gatewayInstances) {
    const cfn = instance.instance;
    cfn.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8 } }];
    cfn.monitoring = true;
    cfn.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled' };
    const why = 'The development profile\'s NAT instance replaces a NAT gateway to save about 33 USD a month; it is disposable.';
    acknowledge(instance, [
      { id: 'AwsSolutions-EC29', reason: why },
      { id: 'ec2_instance_no_public_ip_check', reason: 'A NAT instance needs a public IP to forward the VPC\'s egress.' },
      { id: 'AwsSolutions-EC23', reason: 'Inbound is open only to the VPC CIDR, which the NAT forwards.' },
      { id: 'ec2_instance_nitro_encryption_in_transit_check', reason: 'The NAT only forwards egress the applications already encrypt (TLS); no instance-to-instance traffic.' },
    ], { recursive: true });
  }
}
