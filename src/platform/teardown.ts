/**
 * What deleting the stack (or removing a construct from the app) does to the resources that hold data: the image
 * repository, buckets, secrets, KMS keys, log groups, queues, the database and the cache. The README lists both
 * behaviours resource by resource ("What `cdk destroy` leaves"); docs/adr/0006 says why.
 */
export enum TeardownPolicy {
  /**
   * Keep the data: the database and the cache take a final snapshot, every other stateful resource is retained
   * (and keeps being billed) until you delete it by hand. The production profile's choice.
   */
  RETAIN = 'retain',
  /**
   * Delete everything: the database and the cache without a final snapshot, the repository and the buckets emptied
   * first, secrets, log groups and queues at once, KMS keys after the shortest waiting period (7 days, during which
   * a key is not billed). The development profile's choice: `cdk destroy` leaves nothing billed behind.
   */
  DESTROY = 'destroy',
}
