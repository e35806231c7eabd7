/**
 * Seed 003: the Task Tracker, one Fargate task of two containers behind one load balancer: the frontend (nginx and
 * a React SPA) on port 80 serves the default route, the backend (Express.js) on 3001 serves `/api/*` and `/health`,
 * each from its own ECR repository (`tasktracker-frontend`, `tasktracker-backend`). Only the backend connects to the
 * PostgreSQL database `tasktracker` and receives `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`, `DB_PASSWORD`.
 * Differences from the seed: the load balancer is internal behind CloudFront (no domain needed: the app answers at
 * the distribution's address), the tasks run in private subnets without public IPs, and the development profile
 * sizes the rest. The seed's images are pushed to the two repositories, which its ECR stack owns; each container's
 * tag lives in its own SSM parameter, and each repository gets its own deploy pipeline: a frontend push rolls out the
 * frontend container only, a backend push the backend container only, so neither ever moves the other to an untested
 * image. The seed has no migration step, so no pipeline runs anything in the images (migrations are opt-in:
 * `pipeline.migrationCommand` would run them in the backend, the container with the database).
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { BackendPlatform, EnvironmentProfile, PlatformStore, ServiceImage } from '../../src';

export class TaskTrackerStack extends Stack {
  public readonly platform: BackendPlatform;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const frontend = ecr.Repository.fromRepositoryName(this, 'FrontendRepository', 'tasktracker-frontend');
    const backend = ecr.Repository.fromRepositoryName(this, 'BackendRepository', 'tasktracker-backend');
    this.platform = new BackendPlatform(this, 'Backend', {
      environmentName: 'dev',
      appName: 'tasktracker',
      profile: EnvironmentProfile.DEVELOPMENT,
      repository: frontend,
      database: { databaseName: 'tasktracker' },
      service: {
        cpu: 256,
        memoryLimitMiB: 512,
        containerPort: 80,
        healthCheckPath: '/',
        routedContainers: [{
          name: 'backend',
          containerPort: 3001,
          pathPatterns: ['/api/*', '/health'],
          healthCheckPath: '/health',
          image: ServiceImage.fromEcrRepository(backend),
          environment: { PORT: '3001' },
        }],
        stores: [PlatformStore.DATABASE],
        connectedContainers: ['backend'],
      },
    });
  }
}
