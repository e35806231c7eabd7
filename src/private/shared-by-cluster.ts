import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';

/**
 * A part a platform shares with its workloads, by cluster (docs/adr/0016): created on first use under the construct
 * that shares it, and handed to each workload of that cluster built in the sharer's stack or in a stack nested below
 * it (the sharer's stack passes it down as a nested-stack parameter; a workload in another stack would need an
 * export). Any other workload builds its own.
 */
export class SharedByCluster<T> {
  private readonly sharers = new WeakMap<ecs.ICluster, { readonly owner: Construct; readonly provide: () => T }>();

  /** Makes `provide`'s part (created under `owner`) the one of every workload of `cluster` below `owner`'s stack. */
  public share(cluster: ecs.ICluster, owner: Construct, provide: () => T): void {
    this.sharers.set(cluster, { owner, provide });
  }

  /** The part shared for `cluster`, when `user`'s stack is the sharer's or nested below it. */
  public for(cluster: ecs.ICluster, user: IConstruct): T | undefined {
    const shared = this.sharers.get(cluster);
    if (!shared) return undefined;
    const ownerStack = Stack.of(shared.owner);
    for (let stack: Stack | undefined = Stack.of(user); stack; stack = stack.nestedStackParent) {
      if (stack === ownerStack) return shared.provide();
    }
    return undefined;
  }
}
