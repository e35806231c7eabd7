import { referencedId, resourcesOfType, TemplateRule } from '../rule';

export const rdsParameterGroupFamilyMatchesEngine: TemplateRule = {
  id: 'rds-parameter-group-family-matches-engine',
  phase: 'create',
  rule: 'RDS applies a DB parameter group only of the family of the instance\'s engine and major version (postgres17 for PostgreSQL 17.x); '
    + 'any other family fails the create, and a major-version upgrade needs a parameter group of the new family in the same update.',
  source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html',
  check(template) {
    const resources = template.Resources ?? {};
    return resourcesOfType(template, 'AWS::RDS::DBInstance').flatMap(([id, db]) => {
      const p = db.Properties ?? {};
      const group = resources[referencedId(p.DBParameterGroupName) ?? ''];
      if (!group || group.Type !== 'AWS::RDS::DBParameterGroup' || p.Engine !== 'postgres' || typeof p.EngineVersion !== 'string') return [];
      const major = p.EngineVersion.split('.')[0];
      const family = `postgres${Number(major) >= 10 ? major : p.EngineVersion.split('.').slice(0, 2).join('.')}`;
      return group.Properties?.Family === family ? [] : [`${id} runs postgres ${p.EngineVersion} with a parameter group of family ${group.Properties?.Family}, not ${family}`];
    });
  },
  counterexample: {
    Resources: {
      Params: { Type: 'AWS::RDS::DBParameterGroup', Properties: { Family: 'postgres16', Parameters: {} } },
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', EngineVersion: '17.2', DBParameterGroupName: { Ref: 'Params' } } },
    },
  },
};

export const rdsEncryptedWithItsKey: TemplateRule = {
  id: 'rds-storage-encrypted-at-create',
  phase: 'create',
  rule: 'RDS encrypts an instance only at creation (an unencrypted one cannot be encrypted later; a KmsKeyId requires StorageEncrypted), '
    + 'and an instance restored from a snapshot takes the snapshot\'s encryption, so a new instance states StorageEncrypted with its key.',
  source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html',
  check(template) {
    return resourcesOfType(template, 'AWS::RDS::DBInstance').flatMap(([id, db]) => {
      const p = db.Properties ?? {};
      if (p.SourceDBInstanceIdentifier !== undefined || p.DBClusterIdentifier !== undefined) return [];
      const restored = ['DBSnapshotIdentifier', 'SourceDBInstanceAutomatedBackupsArn', 'RestoreTime', 'UseLatestRestorableTime'].some(key => p[key] !== undefined);
      if (restored) return [];
      return p.StorageEncrypted === true ? [] : [`${id} is created with StorageEncrypted ${JSON.stringify(p.StorageEncrypted)}: it can never be encrypted in place`];
    });
  },
  counterexample: { Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', KmsKeyId: 'arn:aws:kms:::key/1' } } } },
};

/** Characters ElastiCache refuses in an AUTH token. */
const AUTH_FORBIDDEN = ['@', '"', '/'];

export const elastiCacheAuthTokenNeedsTransitEncryption: TemplateRule = {
  id: 'elasticache-auth-token-needs-transit-encryption',
  phase: 'create',
  rule: 'ElastiCache accepts an AuthToken only with TransitEncryptionEnabled: true; the token is 16 to 128 printable characters without @, " or /. '
    + 'MultiAZEnabled requires AutomaticFailoverEnabled and at least two nodes. At-rest encryption and its KmsKeyId are create-only.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-replicationgroup.html',
  check(template) {
    const resources = template.Resources ?? {};
    return resourcesOfType(template, 'AWS::ElastiCache::ReplicationGroup').flatMap(([id, group]) => {
      const p = group.Properties ?? {};
      const findings: string[] = [];
      if (p.AuthToken !== undefined) {
        if (p.TransitEncryptionEnabled !== true) findings.push(`${id} has an AuthToken without TransitEncryptionEnabled: true`);
        const secretId = JSON.stringify(p.AuthToken).match(/"Ref":"([A-Za-z0-9]+)"/)?.[1];
        const gen = resources[secretId ?? '']?.Properties?.GenerateSecretString;
        if (gen) {
          const length = Number(gen.PasswordLength ?? 32);
          if (length < 16 || length > 128) findings.push(`${id}: its generated AuthToken is ${length} characters, outside 16..128`);
          const excluded = gen.ExcludePunctuation === true || AUTH_FORBIDDEN.every(c => String(gen.ExcludeCharacters ?? '').includes(c));
          if (!excluded) findings.push(`${id}: its generated AuthToken may contain @, " or /`);
        }
      }
      if (p.MultiAZEnabled === true && (p.AutomaticFailoverEnabled !== true || Number(p.NumCacheClusters ?? 1) < 2)) {
        findings.push(`${id} is Multi-AZ without automatic failover and two nodes`);
      }
      if (p.KmsKeyId !== undefined && p.AtRestEncryptionEnabled !== true) findings.push(`${id} names a KmsKeyId without AtRestEncryptionEnabled`);
      return findings;
    });
  },
  counterexample: {
    Resources: {
      Token: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { PasswordLength: 64 } } },
      Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { AuthToken: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'Token' }, ':SecretString:::}}']] }, MultiAZEnabled: true, NumCacheClusters: 1 } },
    },
  },
};
