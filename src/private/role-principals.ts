import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A role of another stack named in a resource policy (bucket, key, trust policy) as its account's root principal with
 * an `aws:PrincipalArn` condition on the role's ARN. S3, KMS and IAM refuse a policy whose principal is a role that
 * does not exist yet ("Invalid principal in policy", MalformedPolicyDocumentException), and the role's stack often
 * deploys after the policy's (a pipeline's stack depends on its environments' stacks); a saved role principal also
 * becomes the role's unique ID, which a recreated role no longer matches. A condition is checked only at request
 * time (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
 */
export function rolePrincipal(role: iam.IRole): iam.PrincipalBase {
  return new iam.AccountPrincipal(role.env.account).withConditions({
    ArnEquals: { 'aws:PrincipalArn': role.roleArn },
  });
}
