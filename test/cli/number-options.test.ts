import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A numeric flag that is not a number is the user's typo: `trainyard` says which flag, what it
// got and what it takes, and exits 2 before it calls the platform (a server here counts calls).

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'trainyard.js');
let calls = 0;
const server = createServer((_req, res) => {
  calls++;
  res.writeHead(500).end();
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--api-url', url, '--infer-url', url, '--api-key', 'ty_x', ...args],
      (error, _stdout, stderr) =>
        resolve({ code: (error as { code?: number } | null)?.code ?? 0, stderr }),
    );
  });
}

describe('numeric flags', () => {
  it('refuses a flag that is not the number it takes with exit 2, naming flag, value and expectation', async () => {
    const cases: Array<[string[], string, string]> = [
      [
        ['jobs', 'create', '--dataset', 'ds_x', '--epochs', 'abc'],
        "'--epochs <n>' argument 'abc'",
        'expected an integer ≥ 1, received "abc"',
      ],
      // Decimal only, as the API reads numbers: not 16, not 0.
      [
        ['jobs', 'plan', '--dataset', 'ds_x', '--epochs', '0x10'],
        "'--epochs <n>' argument '0x10'",
        'expected an integer ≥ 1, received "0x10"',
      ],
      [
        ['jobs', 'create', '--dataset', 'ds_x', '--learning-rate', '0b1'],
        "'--learning-rate <rate>' argument '0b1'",
        'expected a number > 0',
      ],
      [
        ['jobs', 'create', '--dataset', 'ds_x', '--learning-rate', '-1'],
        "'--learning-rate <rate>' argument '-1'",
        'expected a number > 0',
      ],
      [
        ['jobs', 'plan', '--dataset', 'ds_x', '--batch-size', '2.5'],
        "'--batch-size <n>' argument '2.5'",
        'expected an integer ≥ 1',
      ],
      [
        ['jobs', 'create', '--dataset', 'ds_x', '--validation-split', '1.5'],
        "'--validation-split <fraction>' argument '1.5'",
        'expected a number > 0 and < 1',
      ],
      [
        ['jobs', 'create', '--dataset', 'ds_x', '--seed', 'x1'],
        "'--seed <n>' argument 'x1'",
        'expected an integer ≥ 0',
      ],
      [
        ['jobs', 'list', '--limit', 'ten'],
        "'--limit <n>' argument 'ten'",
        'expected an integer ≥ 1',
      ],
      [
        ['datasets', 'list', '--limit', '0'],
        "'--limit <n>' argument '0'",
        'expected an integer ≥ 1',
      ],
      [['models', 'list', '--limit', ''], "'--limit <n>' argument ''", 'expected an integer ≥ 1'],
    ];
    for (const [args, flag, expectation] of cases) {
      const { code, stderr } = await cli(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain(flag);
      expect(stderr).toContain(expectation);
    }
    expect(calls).toBe(0);
  });
});
