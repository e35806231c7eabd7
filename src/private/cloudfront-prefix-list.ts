import { CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './validation';

/**
 * IDs of the AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing`, which differ per region.
 * Kept as a map so environment-agnostic stacks resolve the ID at deploy time with Fn::FindInMap, no lookup.
 */
const ORIGIN_FACING_PREFIX_LISTS: Record<string, string> = {
  'ap-northeast-1': 'pl-58a04531',
  'ap-northeast-2': 'pl-22a6434b',
  'ap-northeast-3': 'pl-31a14458',
  'ap-south-1': 'pl-9aa247f3',
  'ap-southeast-1': 'pl-31a34658',
  'ap-southeast-2': 'pl-b8a742d1',
  'ca-central-1': 'pl-38a64351',
  'eu-central-1': 'pl-a3a144ca',
  'eu-north-1': 'pl-fab65393',
  'eu-west-1': 'pl-4fa04526',
  'eu-west-2': 'pl-93a247fa',
  'eu-west-3': 'pl-75b1541c',
  'sa-east-1': 'pl-5da64334',
  'us-east-1': 'pl-3b927c52',
  'us-east-2': 'pl-b6a144df',
  'us-west-1': 'pl-4ea04527',
  'us-west-2': 'pl-82a045eb',
};

/** The list's weight: a security group rule that references it counts as 55 of the group's 60 inbound rules. */
export const ORIGIN_FACING_PREFIX_LIST_WEIGHT = 55;

/** The IDs built in, for checks that recognise a rule referencing the list. */
export const ORIGIN_FACING_PREFIX_LIST_IDS: readonly string[] = Object.values(ORIGIN_FACING_PREFIX_LISTS);

/** The stack mapping that resolves the list's ID by region. */
export const ORIGIN_FACING_MAPPING_ID = 'CloudFrontOriginFacingPrefixList';

/**
 * The origin-facing prefix list ID for the stack's region: a literal when the region is known at synth,
 * otherwise a FindInMap on AWS::Region shared by every construct of the stack.
 */
export function cloudFrontOriginFacingPrefixListId(scope: IConstruct, overrideProp: string): string {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) {
    const id = ORIGIN_FACING_PREFIX_LISTS[stack.region];
    if (!id) {
      invalidProp(scope, overrideProp, undefined,
        `the CloudFront origin-facing prefix list ID of region ${stack.region} is not built in; set ${overrideProp} (service.${overrideProp} on BackendPlatform) to the ID shown by "aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing"`);
    }
    return id;
  }
  const existing = stack.node.tryFindChild(ORIGIN_FACING_MAPPING_ID) as CfnMapping | undefined;
  const mapping = existing ?? new CfnMapping(stack, ORIGIN_FACING_MAPPING_ID, {
    mapping: Object.fromEntries(Object.entries(ORIGIN_FACING_PREFIX_LISTS).map(([region, id]) => [region, { PrefixListId: id }])),
  });
  return mapping.findInMap(stack.region, 'PrefixListId');
}
