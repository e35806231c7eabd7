import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { platform, web, synthesized } from './builders';
import { EnvironmentProfile } from '../src';

const insightsOf = (construct: any) => Object.values<any>(Template.fromStack(Stack.of(construct)).findResources('AWS::ECS::Cluster'))
  .map(cluster => cluster.Properties.ClusterSettings);

describe('Container Insights by profile', () => {
  test('GIVEN the production profile THEN the cluster has enhanced observability (per task and container)', () => {
    expect(insightsOf(platform({}))).toEqual([[{ Name: 'containerInsights', Value: 'enhanced' }]]);
  });

  test('GIVEN the development profile THEN plain Container Insights', () => {
    expect(insightsOf(platform({ profile: EnvironmentProfile.DEVELOPMENT }))).toEqual([[{ Name: 'containerInsights', Value: 'enabled' }]]);
  });

  test('GIVEN containerInsights set on the platform THEN it wins over the profile', () => {
    expect(insightsOf(platform({ containerInsights: ecs.ContainerInsights.ENABLED }))).toEqual([[{ Name: 'containerInsights', Value: 'enabled' }]]);
  });

  test('GIVEN a standalone service THEN its cluster keeps plain Container Insights unless asked', () => {
    expect(insightsOf(web({}))).toEqual([[{ Name: 'containerInsights', Value: 'enabled' }]]);
    expect(insightsOf(web({ containerInsights: ecs.ContainerInsights.ENHANCED }))).toEqual([[{ Name: 'containerInsights', Value: 'enhanced' }]]);
  });

  test('GIVEN a bad value from plain JavaScript THEN synth refuses it by name', () => {
    expect(synthesized(() => platform({ containerInsights: 'on' as any }))).toThrow(/containerInsights "on"/);
  });
});
