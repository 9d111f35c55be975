import { prefixes } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { bucketPrefixes } from '../lib/bucket-prefixes';

describe('the prefixes IAM is scoped to', () => {
  it('are the key layout of @trainyard/shared, so that no grant misses a prefix', () => {
    const shared: Record<string, string> = { ...prefixes };
    const { auth, ...infra } = bucketPrefixes;
    expect(infra).toEqual(shared);
    // auth/ covers auth/api-keys/ and whatever else the API keeps under auth/.
    expect(shared.apiKeys!.startsWith(auth)).toBe(true);
  });
});
