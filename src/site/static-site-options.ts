import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TeardownPolicy } from '../platform/teardown';
import { EdgeWebAcl } from '../service/cloudfront-web-acl';

/** Where the files of a directory go in a static site's bucket, and which of them (Copilot's `files` entry). */
export interface SiteContentOptions {
  /**
   * Key prefix the files are uploaded under (e.g. `assets`), without a leading or trailing slash.
   * @default - the bucket's root
   */
  readonly destination?: string;
  /**
   * Upload the files of subdirectories too; `false` uploads the directory's own files only (an `aws s3 sync` filter
   * excluding every key with a slash, so an `include` pattern still brings back the subdirectories' files it matches).
   * @default true
   */
  readonly recursive?: boolean;
  /**
   * `aws s3 sync` patterns of files not to upload, relative to the directory (e.g. `*.map`).
   * @default - every file
   */
  readonly exclude?: string[];
  /**
   * `aws s3 sync` patterns of excluded files to upload after all (e.g. `robots.txt`): they win over `exclude`.
   * @default - none
   */
  readonly include?: string[];
}

/**
 * Files a static site uploads to its bucket on each `cdk deploy` (aws-cdk-lib's `BucketDeployment`). Objects are
 * added and overwritten, never deleted: a file removed from the directory stays in the bucket (and in its
 * noncurrent versions) until you delete it.
 */
export class SiteContent {
  /** The files of a local directory, as it is when `cdk synth` runs (build the site first). */
  public static fromDirectory(directory: string, options: SiteContentOptions = {}): SiteContent {
    return new SiteContent(directory, options);
  }

  private constructor(
    /** The local directory. */
    public readonly directory: string,
    /** Where its files go and which of them. */
    public readonly options: SiteContentOptions,
  ) {}
}

/** Every option of a static site that does not depend on where it runs: its content, its routing and its domain. */
export interface StaticSiteOptions {
  /**
   * Directories uploaded to the bucket on each `cdk deploy`, in order (a later one overwrites an earlier one's keys).
   * @default - nothing is uploaded: upload with `aws s3 sync <dir> s3://<bucket>` (the bucket name is `bucket.bucketName`, a stack output on a platform)
   */
  readonly content?: SiteContent[];
  /**
   * Object served for the site's root URL (`/`).
   * @default 'index.html'
   */
  readonly defaultRootObject?: string;
  /**
   * A single-page app: a path with no object (S3 answers 403 or 404 through Origin Access Control) is answered
   * with `/<defaultRootObject>` and status 200, so the app's router handles it.
   * @default false
   */
  readonly singlePageApp?: boolean;
  /**
   * Host name users reach the site at (Copilot's `http.alias`, e.g. `www.example.com`); it becomes the site URL.
   * With a hosted zone, A/AAAA aliases to the distribution are created in it.
   * @default - the distribution's `*.cloudfront.net` name
   */
  readonly domainName?: string;
  /**
   * Certificate covering `domainName`, issued in us-east-1 as CloudFront requires (Copilot's `http.certificate`).
   * @default - a certificate DNS-validated in the hosted zone, issued in this stack when it is in us-east-1, otherwise in a companion us-east-1 stack `<stack ID>CloudFrontCertificates` (this stack needs an explicit region)
   */
  readonly domainCertificate?: acm.ICertificate;
  /**
   * AWS WAF web ACL of the distribution: `EdgeWebAcl.fromArn(acl.webAclArn)` for a `CloudFrontWebAcl` of a
   * us-east-1 stack, or `EdgeWebAcl.managed()` to create one here when this stack is in us-east-1.
   * @default - no web ACL (on a platform: the web ACL of the platform's service, if it has one)
   */
  readonly webAcl?: EdgeWebAcl;
}

/** Props of `StaticSite`. */
export interface StaticSiteProps extends StaticSiteOptions {
  /**
   * Hosted zone that holds `domainName`: its certificate is validated and its alias records written there.
   * @default - no DNS records; `domainName` then needs `domainCertificate`, and you point your DNS at the distribution
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * Bucket receiving the distribution's standard logs and the site bucket's server access logs (ACLs enabled, as
   * CloudFront logging needs), e.g. a web service's `accessLogsBucket`.
   * @default - a new encrypted, TLS-only access-log bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * What `cdk destroy` does to the site's buckets: RETAIN keeps them with their objects, DESTROY empties and
   * deletes them (a throw-away environment).
   * @default - the teardown policy of the enclosing platform (its profile's: RETAIN in production), else TeardownPolicy.RETAIN
   */
  readonly teardown?: TeardownPolicy;
}
