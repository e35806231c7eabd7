/**
 * Environment profile: safe production defaults, or cheap development ones. Every difference between the two is
 * one row of the library's profile table (`src/platform/profiles.ts`), listed in the README.
 */
export enum EnvironmentProfile {
  /** Multi-AZ database, a NAT gateway per AZ, deletion protection, one-year log retention, 2..4 tasks. */
  PRODUCTION = 'production',
  /**
   * Single-AZ small database, one t4g.nano NAT instance instead of NAT gateways, destroyable load balancer,
   * one-month logs, 1..2 small tasks on Fargate Spot.
   */
  DEVELOPMENT = 'development',
}
