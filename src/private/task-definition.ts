import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from './compliance';

/**
 * The findings every application task definition of this library accepts, because they depend on the user's image
 * or are Fargate semantics, not on anything the library configures.
 */
export function acknowledgeApplicationTaskDefinition(taskDefinition: ecs.TaskDefinition): void {
  acknowledge(taskDefinition, [
    { id: 'AwsSolutions-ECS2', reason: 'Environment variables hold non-secret configuration only; secrets are injected through the secrets prop.' },
    { id: 'ecs_task_definition_nonroot_user_check', reason: 'The user is a property of the application image (USER in its Dockerfile), which the library cannot know.' },
    { id: 'ecs_containers_readonly_access_check', reason: 'Node.js and most web frameworks write temp files; a read-only root is an application choice.' },
    { id: 'ecs_task_definition_memory_hard_limit_check', reason: 'On Fargate the task-level memory is the hard limit every container shares.' },
  ]);
}

/** The wildcards CDK grants a task's two roles, acknowledged on those roles only. */
export function acknowledgeTaskRoles(executionRole: iam.IRole, taskRole: iam.IRole): void {
  acknowledge(executionRole, [
    { id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken and the log-stream actions CDK grants have no narrower resource.', appliesTo: ['Resource::*'] },
  ], { recursive: true });
  acknowledge(taskRole, [
    { id: 'AwsSolutions-IAM5', reason: 'ECS Exec session channels (ssmmessages:*) cannot be scoped to a resource.', appliesTo: ['Resource::*'] },
  ], { recursive: true });
}
