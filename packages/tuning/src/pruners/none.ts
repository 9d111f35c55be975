import type { Pruner } from './pruner';

/** Never stops a trial early: every trial runs all its epochs. */
export class NonePruner implements Pruner {
  readonly name = 'none';
  shouldPrune(): boolean {
    return false;
  }
}
