import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run keys` (packages/local/src/keys-cli.ts) as a user runs it, against a bucket of its own
// on the real S3 endpoint: projects and keys with roles, checked by the key store afterwards.

const CLI = join(import.meta.dirname, '..', '..', 'packages', 'local', 'src', 'keys-cli.ts');
let runtime: Awaited<ReturnType<typeof isolatedRuntime>>;

beforeAll(async () => {
  runtime = await isolatedRuntime(`ty-keyscli-${randomBytes(2).toString('hex')}`);
});
afterAll(() => runtime?.dispose());

function keysCli(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, S3_BUCKET: runtime.config.s3.bucket, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run keys', () => {
  it('creates a project with its admin key, and keys with a role in it', async () => {
    const made = await keysCli('create-project', 'team-x');
    expect(made.code, made.stderr).toBe(0);
    const { project, admin_key } = JSON.parse(made.stdout);
    expect(project).toMatchObject({ id: 'team-x', object: 'project' });
    expect(admin_key).toMatchObject({ project: 'team-x', role: 'admin', operator: false });
    await expect(runtime.apiKeys.verify(admin_key.secret)).resolves.toMatchObject({
      project: 'team-x',
      role: 'admin',
    });

    const edge = await keysCli(
      'create',
      '--name',
      'edge',
      '--project',
      'team-x',
      '--role',
      'inference',
    );
    expect(edge.code, edge.stderr).toBe(0);
    expect(JSON.parse(edge.stdout)).toMatchObject({ project: 'team-x', role: 'inference' });

    const list = await keysCli('list', '--project', 'team-x');
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.includes('team-x'))).toBe(true);
    expect(list.stdout).toMatch(/inference\s+edge/);

    const projects = await keysCli('projects');
    expect(projects.stdout.trim().split('\n')).toEqual(['default', 'team-x']);
  }, 90_000);

  it('names what is wrong: an unknown project, a role that does not exist, a project that exists', async () => {
    const unknown = await keysCli('create', '--project', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No project "nope"');
    const role = await keysCli('create', '--role', 'owner');
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('--role: expected admin, member or inference; received "owner"');
    const again = await keysCli('create-project', 'default');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Project default already exists');
    expect((await runtime.apiKeys.list()).map((k) => k.project)).not.toContain('nope');
  }, 90_000);
});
