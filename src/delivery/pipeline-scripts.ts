/**
 * Shell scripts of the deploy pipeline's CodeBuild steps. They only call AWS APIs (the standard CodeBuild image has
 * the AWS CLI and jq), so none of the steps needs a VPC: the migration itself runs as a Fargate task.
 * Inputs arrive as environment variables; IMAGE_DIGEST comes from the ECR source action.
 */

/**
 * Registers a one-container copy of the service's task definition (same roles, env, secrets, logs) with the pushed
 * image under the family `<service family>-migrate`, runs it with the migration command in the service's subnets and
 * security group, waits for it to stop and fails unless the container exited with 0.
 */
const MIGRATE_TASK: OneOffTask = { suffix: 'migrate', startedBy: 'pipeline-migration', what: 'Migration', commandVariable: 'MIGRATION_COMMAND' };
export const MIGRATE_SCRIPT = oneOffTaskScript(MIGRATE_TASK);
/** The migration of a service with EFS volumes: the copy keeps the volumes its container mounts. */
export const MIGRATE_SCRIPT_WITH_VOLUMES = oneOffTaskScript(MIGRATE_TASK, true);

/** What distinguishes one one-off task step from another: its family suffix, its label and where its command comes from. */
interface OneOffTask {
  /** The task family is `<service family>-<suffix>`. */
  readonly suffix: string;
  readonly startedBy: string;
  /** How the messages name the task. */
  readonly what: string;
  /** The environment variable holding the command as a JSON array. */
  readonly commandVariable: string;
}

/**
 * The migration's script for any one-off task of the service (the promotion's test task is another). With `volumes`
 * (a service with EFS volumes, whose container's mount points name them) the copy keeps the task's volumes: ECS refuses
 * a mount point of a volume the task definition lacks, and the task mounts them like the service's tasks (same task role
 * and security group).
 */
export function oneOffTaskScript(task: OneOffTask, volumes = false): string {
  const file = `${task.suffix}-task.json`;
  return [
    'set -euo pipefail',
    'IMAGE="$REPOSITORY_URI@$IMAGE_DIGEST"',
    'aws ecs describe-task-definition --task-definition "$TASK_FAMILY" --query taskDefinition > service-task.json',
    `jq --arg c "$CONTAINER" --arg i "$IMAGE" --arg f "$TASK_FAMILY-${task.suffix}" '{family: $f, taskRoleArn, executionRoleArn, networkMode,`
      + ` requiresCompatibilities, cpu, memory, runtimePlatform, ephemeralStorage,${volumes ? ' volumes,' : ''}`
      + ' containerDefinitions: [.containerDefinitions[] | select(.name == $c) | .image = $i | del(.dependsOn)]}'
      + ` | with_entries(select(.value != null))' service-task.json > ${file}`,
    `TASK_DEFINITION=$(aws ecs register-task-definition --cli-input-json file://${file} --query taskDefinition.taskDefinitionArn --output text)`,
    `OVERRIDES=$(jq -nc --arg c "$CONTAINER" --argjson cmd "$${task.commandVariable}" '{containerOverrides: [{name: $c, command: $cmd}]}')`,
    `TASK=$(aws ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --launch-type FARGATE --started-by ${task.startedBy}`
      + ' --network-configuration "awsvpcConfiguration={subnets=[$SUBNETS],securityGroups=[$SECURITY_GROUPS],assignPublicIp=DISABLED}"'
      + ' --overrides "$OVERRIDES" --query "tasks[0].taskArn" --output text)',
    `echo "${task.what} task $TASK running $IMAGE"`,
    'until [ "$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$TASK" --query "tasks[0].lastStatus" --output text)" = STOPPED ]; do sleep 10; done',
    'EXIT_CODE=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$TASK" --query "tasks[0].containers[?name==\'$CONTAINER\'].exitCode | [0]" --output text)',
    `if [ "$EXIT_CODE" != "0" ]; then echo "${task.what} failed (exit code $EXIT_CODE); see the service log group, stream prefix $CONTAINER"; exit 1; fi`,
  ].join('\n');
}

/** Promotion, per environment: the environment's test command as a one-off task of its main service, in its network. */
const TEST_TASK: OneOffTask = { suffix: 'test', startedBy: 'pipeline-test', what: 'Test', commandVariable: 'TEST_COMMAND' };
export const TEST_TASK_SCRIPT = oneOffTaskScript(TEST_TASK);
/** The test task of a service with EFS volumes. */
export const TEST_TASK_SCRIPT_WITH_VOLUMES = oneOffTaskScript(TEST_TASK, true);

/**
 * Writes the artifacts the ECS deploy actions read: one file per service (IMAGE_DEFINITIONS maps each file name to
 * the service's containers of the pushed repository), every listed container pinned to the pushed digest. A container
 * not listed keeps its current image when ECS registers the new revision.
 */
export const IMAGE_DEFINITIONS_SCRIPT = [
  'set -euo pipefail',
  'IMAGE="$REPOSITORY_URI@$IMAGE_DIGEST"',
  'for FILE in $(jq -r \'keys[]\' <<< "$IMAGE_DEFINITIONS"); do',
  '  jq -c --arg f "$FILE" --arg i "$IMAGE" \'.[$f] | map({name: ., imageUri: $i})\' <<< "$IMAGE_DEFINITIONS" > "$FILE"',
  '  echo "$FILE: $(cat "$FILE")"',
  'done',
].join('\n');

/**
 * Moves the scheduled jobs (JOB_CONTAINERS maps each task definition family to its containers of the pushed
 * repository): registers a copy of the family's newest ACTIVE revision, tags included, with every listed container
 * pinned to the pushed digest. The jobs' schedules name the family, so their next run starts this revision.
 */
export const JOB_REVISIONS_SCRIPT = [
  'set -euo pipefail',
  'IMAGE="$REPOSITORY_URI@$IMAGE_DIGEST"',
  'for FAMILY in $(jq -r \'keys[]\' <<< "$JOB_CONTAINERS"); do',
  '  aws ecs describe-task-definition --task-definition "$FAMILY" --include TAGS > "current-$FAMILY.json"',
  '  jq --arg i "$IMAGE" --argjson names "$(jq -c --arg f "$FAMILY" \'.[$f]\' <<< "$JOB_CONTAINERS")" \'. as $d | $d.taskDefinition'
    + ' | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy, .deregisteredAt)'
    + ' | .containerDefinitions |= map(if (.name | IN($names[])) then .image = $i else . end)'
    + ' | if ($d.tags // []) | length > 0 then .tags = $d.tags else . end\' "current-$FAMILY.json" > "job-$FAMILY.json"',
  '  REVISION=$(aws ecs register-task-definition --cli-input-json "file://job-$FAMILY.json" --query taskDefinition.taskDefinitionArn --output text)',
  '  echo "Scheduled job $FAMILY runs $IMAGE from now on: $REVISION"',
  'done',
].join('\n');

/**
 * After a successful deploy: tags the deployed digest `sha256-<hex>` (a tag no push will move) and writes that tag
 * to every SSM parameter the deployed services render at each `cdk deploy` (TAG_PARAMETERS, space-separated), so
 * CloudFormation keeps the image the pipeline deployed instead of rolling it back.
 */
export const RECORD_RELEASE_SCRIPT = [
  'set -euo pipefail',
  ...tagDigestLines(),
  ...writeTagParameterLines(),
].join('\n');

/** Tags IMAGE_DIGEST `sha256-<hex>` in REPOSITORY_NAME (a tag no push moves); a tag already there is kept. */
function tagDigestLines(): string[] {
  return [
    'TAG="sha256-${IMAGE_DIGEST#sha256:}"',
    'aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids imageDigest="$IMAGE_DIGEST"'
      + ' --accepted-media-types application/vnd.docker.distribution.manifest.v2+json application/vnd.oci.image.manifest.v1+json'
      + ' application/vnd.docker.distribution.manifest.list.v2+json application/vnd.oci.image.index.v1+json --query "images[0]" > image.json',
    'if ! aws ecr put-image --repository-name "$REPOSITORY_NAME" --image-tag "$TAG" --image-manifest "$(jq -r .imageManifest image.json)"'
      + ' --image-manifest-media-type "$(jq -r .imageManifestMediaType image.json)" 2> put-image.err; then'
      + ' grep -q ImageAlreadyExistsException put-image.err || { cat put-image.err; exit 1; }; fi',
  ];
}

/** Writes the digest's tag to every parameter of TAG_PARAMETERS (space-separated). */
function writeTagParameterLines(): string[] {
  return [
    'for PARAMETER in $TAG_PARAMETERS; do',
    '  aws ssm put-parameter --name "$PARAMETER" --value "$TAG" --type String --overwrite',
    '  echo "Deployed image recorded: $PARAMETER = $TAG"',
    'done',
  ];
}

/** Promotion, once per release: pins the pushed digest with its `sha256-<hex>` tag before any environment runs it. */
export const PIN_RELEASE_SCRIPT = ['set -euo pipefail', ...tagDigestLines(), 'echo "Release $REPOSITORY_URI@$IMAGE_DIGEST pinned as $TAG"'].join('\n');

/**
 * Promotion, per environment: registers a revision of each family of FAMILY_CONTAINERS (services and scheduled jobs)
 * with the digest, points each service of SERVICES (`<cluster ARN>,<service name>=<family>`, space-separated) at its
 * family's newest revision, waits until ECS completes every rollout (fails on one the circuit breaker or an alarm
 * rolled back), then writes the digest's tag to the environment's image-tag parameters, so a `cdk deploy` of the
 * environment keeps it.
 */
export const PROMOTE_DEPLOY_SCRIPT = [
  JOB_REVISIONS_SCRIPT.replace(/\$JOB_CONTAINERS/g, '$FAMILY_CONTAINERS').replace('Scheduled job $FAMILY runs', 'Family $FAMILY runs'),
  'for ENTRY in $SERVICES; do',
  '  SERVICE="${ENTRY#*,}"',
  '  aws ecs update-service --cluster "${ENTRY%%,*}" --service "${SERVICE%%=*}" --task-definition "${SERVICE#*=}" --query service.serviceName --output text',
  'done',
  'for ENTRY in $SERVICES; do',
  '  SERVICE="${ENTRY#*,}"; SERVICE="${SERVICE%%=*}"',
  '  until STATE=$(aws ecs describe-services --cluster "${ENTRY%%,*}" --services "$SERVICE" --query "services[0].deployments[?status==\'PRIMARY\'] | [0].rolloutState" --output text); [ "$STATE" = COMPLETED ]; do',
  '    if [ "$STATE" = FAILED ]; then echo "Rollout of $SERVICE failed; ECS rolled it back"; exit 1; fi',
  '    sleep 15',
  '  done',
  '  echo "$SERVICE runs $REPOSITORY_URI@$IMAGE_DIGEST"',
  'done',
  'TAG="sha256-${IMAGE_DIGEST#sha256:}"',
  ...writeTagParameterLines(),
].join('\n');


/**
 * Promotion, per environment: GETs each path of SMOKE_CHECK_PATHS (space-separated) at SERVICE_URL, retrying for a
 * minute; each must answer 2xx (redirects are not followed, so a redirect fails).
 */
export const SMOKE_CHECK_SCRIPT = [
  'set -euo pipefail',
  'for CHECK_PATH in $SMOKE_CHECK_PATHS; do',
  '  curl --fail --silent --show-error --max-time 10 --retry 6 --retry-delay 10 --retry-all-errors -o /dev/null -w "$CHECK_PATH: %{http_code}\\n" "$SERVICE_URL$CHECK_PATH"',
  'done',
].join('\n');

/** CI: builds the Dockerfile of the checked-out source and pushes it with the trigger tag and the commit id. */
export const DOCKER_BUILD_SCRIPT = [
  'set -euo pipefail',
  'aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
  'docker pull "$REPOSITORY_URI:$TAG" || true',
  'docker build --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from "$REPOSITORY_URI:$TAG" -f "$DOCKERFILE" -t "$REPOSITORY_URI:$TAG" -t "$REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION" "$BUILD_CONTEXT"',
  // A rebuilt commit may meet its own immutable tag: the trigger-tag push below still carries the image.
  'docker push "$REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION" || echo "commit tag already pushed"',
  'docker push "$REPOSITORY_URI:$TAG"',
].join('\n');

/** Promotion's build: the CI build, then the pushed digest exported as IMAGE_DIGEST for the stages after it. */
export const PROMOTION_BUILD_SCRIPT = DOCKER_BUILD_SCRIPT.replace(/docker push "\$REPOSITORY_URI:\$TAG"$/, 'docker push "$REPOSITORY_URI:$TAG" | tee push.log')
  + '\nIMAGE_DIGEST=$(grep -o "digest: sha256:[0-9a-f]\\{64\\}" push.log | tail -1 | cut -d" " -f2)'
  + '\n[ -n "$IMAGE_DIGEST" ] || { echo "The push printed no digest"; exit 1; }'
  + '\necho "Pushed $REPOSITORY_URI@$IMAGE_DIGEST"';
