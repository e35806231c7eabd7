import { referencedId, resourcesOfType, TemplateRule } from '../rule';

function endpointText(value: any): string {
  if (typeof value === 'string') return value;
  const join = value?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map((part: any) => (typeof part === 'string' ? part : '${token}')).join(join[0]);
  return '${token}';
}

export const apiDestinationIsHttpsWithAuth: TemplateRule = {
  id: 'api-destination-https-with-its-connection-auth',
  phase: 'create',
  rule: 'EventBridge invokes API destinations only on HTTPS endpoints, at most InvocationRateLimitPerSecond (1 to 300) per second, through a connection '
    + 'whose AuthorizationType has its parameters (API_KEY: ApiKeyName and ApiKeyValue), the key stored by EventBridge in a Secrets Manager secret.',
  source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html',
  check(template) {
    const resources = template.Resources ?? {};
    return resourcesOfType(template, 'AWS::Events::ApiDestination').flatMap(([id, dest]) => {
      const p = dest.Properties ?? {};
      const findings: string[] = [];
      const endpoint = endpointText(p.InvocationEndpoint);
      if (!endpoint.startsWith('https://')) findings.push(`${id} calls ${endpoint}, not an HTTPS endpoint`);
      const rate = p.InvocationRateLimitPerSecond;
      if (rate !== undefined && (Number(rate) < 1 || Number(rate) > 300)) findings.push(`${id}: InvocationRateLimitPerSecond ${rate} outside 1..300`);
      const connection = resources[referencedId(p.ConnectionArn) ?? ''];
      if (connection?.Type === 'AWS::Events::Connection') {
        const c = connection.Properties ?? {};
        if (c.AuthorizationType === 'API_KEY') {
          const key = c.AuthParameters?.ApiKeyAuthParameters;
          if (!key?.ApiKeyName || key?.ApiKeyValue === undefined) findings.push(`${id}: its API_KEY connection has no ApiKeyName/ApiKeyValue`);
        }
      }
      return findings;
    });
  },
  counterexample: {
    Resources: {
      Conn: { Type: 'AWS::Events::Connection', Properties: { AuthorizationType: 'API_KEY', AuthParameters: {} } },
      Dest: { Type: 'AWS::Events::ApiDestination', Properties: { ConnectionArn: { 'Fn::GetAtt': ['Conn', 'Arn'] }, HttpMethod: 'POST', InvocationEndpoint: 'http://backend.example.com/x', InvocationRateLimitPerSecond: 500 } },
    },
  },
};
