/**
 * A model (not a measurement) of how long a release takes to reach production traffic, to finish, and to roll back,
 * with rolling updates and with ECS native blue/green, from the settings in a synthesized template.
 * Figures and their sources:
 * - A target becomes healthy after `HealthyThresholdCount` consecutive checks `HealthCheckIntervalSeconds` apart
 *   (Elastic Load Balancing docs, "Health checks for Application Load Balancer target groups").
 * - A deregistering target drains for `deregistration_delay.timeout_seconds` (same docs, "Deregistration delay").
 * - TASK_START_S: Fargate provisioning + image pull + container start. An ASSUMPTION (45 s for a ~200 MB image), not
 *   measured here: no AWS account is used by the bench. Replace it with your own `describe-tasks` timestamps.
 * - ALARM_S: the rollback alarms fire on 2 of 3 one-minute datapoints (src/service/deployment.ts,
 *   src/monitoring/infra-monitoring.ts), so at least 120 s after a fault starts.
 * - Rolling rollback: ECS starts tasks of the last good revision again (ECS docs, "Deployment circuit breaker" and
 *   "CloudWatch alarms for deployments"): a fresh start, health checks and a drain.
 * - Blue/green: test and production traffic shifts are listener-rule weight changes (seconds; SHIFT_S = 5 is an
 *   assumption); the smoke test takes at most its timeout; rollback during the bake time moves the weights back to the
 *   old tasks, which are still running (ECS docs, "Amazon ECS blue/green deployments": "quickly roll back").
 */
export const TASK_START_S = 45;
export const ALARM_S = 120;
export const SHIFT_S = 5;

export interface RolloutSettings {
  readonly intervalS: number;
  readonly healthyThreshold: number;
  readonly deregistrationS: number;
  /** Blue/green only. */
  readonly bakeMinutes?: number;
  /** Blue/green only: the smoke test's timeout, the worst case of the hook. */
  readonly smokeTestTimeoutS?: number;
}

export interface RolloutTimes {
  readonly toProductionS: number;
  readonly toFinishedS: number;
  readonly rollbackS: number;
}

export function rolling(s: RolloutSettings): RolloutTimes {
  const healthy = TASK_START_S + s.intervalS * s.healthyThreshold;
  return {
    // 200 % maximum: the new tasks start in one batch and take traffic as soon as they are healthy.
    toProductionS: healthy,
    toFinishedS: healthy + s.deregistrationS,
    // The alarm fires, then ECS starts the old revision again and drains the bad tasks.
    rollbackS: ALARM_S + healthy + s.deregistrationS,
  };
}

export function blueGreen(s: RolloutSettings): RolloutTimes {
  const green = TASK_START_S + s.intervalS * s.healthyThreshold;
  const toProductionS = green + SHIFT_S + (s.smokeTestTimeoutS ?? 10) + SHIFT_S;
  return {
    toProductionS,
    toFinishedS: toProductionS + (s.bakeMinutes ?? 5) * 60 + s.deregistrationS,
    // During the bake the old tasks still run: the alarm fires and the weights move back.
    rollbackS: ALARM_S + SHIFT_S,
  };
}
