import { Duration } from 'aws-cdk-lib';

/** Options of a platform's data bucket: where its objects go as they age. */
export interface DataBucketOptions {
  /**
   * Age at which objects move to S3 Standard-IA (cheaper storage, a retrieval fee; objects under 128 KiB stay).
   * @default Duration.days(30)
   */
  readonly infrequentAccessAfter?: Duration;
  /**
   * How long replaced and deleted object versions are kept, to undo an overwrite or a delete.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;
}
