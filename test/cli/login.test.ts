import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@trainyard/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';

// `trainyard login` / `logout` against `npm start`'s platform in this process, with the config
// file in a temp folder (TRAINYARD_CONFIG) and a cwd without a `.trainyard/api-key` above it.

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'trainyard.js');
let harness: Awaited<ReturnType<typeof platformHarness>>;
let dir: string;
let config: string;
let apiUrl: string;
let secret: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TRAINYARD_')),
  );
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: {
      ...clean,
      TRAINYARD_CONFIG: config,
      TRAINYARD_DATA_DIR: join(dir, 'no-data'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
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

beforeAll(async () => {
  harness = await platformHarness();
  const platform = await harness.start();
  apiUrl = platform.apiUrl;
  secret = platform.apiKey.secret!;
  dir = await mkdtemp(join(tmpdir(), 'trainyard-login-'));
  config = join(dir, 'home', 'trainyard', 'config.json');
});
afterAll(async () => {
  await harness.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('login and logout', () => {
  it('a wrong key is refused and nothing is saved', async () => {
    const run = await cli({}, 'login', '--api-url', apiUrl, '--api-key', 'ty_wrong');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('401');
    await expect(stat(config)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('saves the checked key (0600); later commands use it; flags and env win; logout forgets it', async () => {
    const login = await cli({}, 'login', '--api-url', apiUrl, '--api-key', secret);
    expect(login.code, login.stderr).toBe(0);
    expect((await stat(config)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({
      api_url: apiUrl,
      api_key: secret,
    });

    const list = await cli({}, 'datasets', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);

    const flag = await cli({}, 'datasets', 'list', '--api-key', 'ty_wrong');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('401');
    const env = await cli({ TRAINYARD_API_KEY: 'ty_wrong' }, 'datasets', 'list');
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('401');

    const logout = await cli({}, 'logout');
    expect(logout.code, logout.stderr).toBe(0);
    await expect(stat(config)).rejects.toMatchObject({ code: 'ENOENT' });
    const after = await cli({ TRAINYARD_API_URL: apiUrl }, 'datasets', 'list');
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('401');
  }, 60_000);
});

describe('whoami', () => {
  it('shows the key’s project and role, for every role; an inference key cannot list datasets', async () => {
    const env = { TRAINYARD_API_URL: apiUrl, TRAINYARD_API_KEY: secret };
    const me = await cli(env, 'whoami', '--json');
    expect(me.code, me.stderr).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({
      project: { id: 'default' },
      key: { role: 'admin', operator: true, project: 'default' },
    });
    const human = await cli(env, 'whoami');
    expect(human.stdout).toMatch(/project\s+default/);
    expect(human.stdout).toMatch(/role\s+admin/);

    const created = await fetch(`${apiUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'edge', role: 'inference' }),
    });
    const edge = ((await created.json()) as { secret: string }).secret;
    const edgeEnv = { TRAINYARD_API_URL: apiUrl, TRAINYARD_API_KEY: edge };
    const edgeMe = await cli(edgeEnv, 'whoami', '--json');
    expect(edgeMe.code, edgeMe.stderr).toBe(0);
    expect(JSON.parse(edgeMe.stdout).key).toMatchObject({ role: 'inference', operator: false });
    const list = await cli(edgeEnv, 'datasets', 'list');
    expect(list.code).toBe(1);
    expect(list.stderr).toContain('403');
    expect(list.stderr).toContain('member role');
    expect(list.stderr).toContain('this key has the inference role');
  }, 60_000);
});

describe('resolveConfig', () => {
  it('flags > env > saved login > local platform; the saved key only goes to its own URL', async () => {
    const file = join(dir, 'resolve.json');
    await writeFile(file, JSON.stringify({ api_url: 'https://a.example', api_key: 'ty_saved' }));
    const env = { TRAINYARD_CONFIG: file, TRAINYARD_DATA_DIR: join(dir, 'no-data') };
    expect(resolveConfig({}, env, dir)).toMatchObject({
      apiUrl: 'https://a.example',
      apiKey: 'ty_saved',
      apiKeySource: file,
    });
    expect(resolveConfig({}, { ...env, TRAINYARD_API_KEY: 'ty_env' }, dir)).toMatchObject({
      apiUrl: 'https://a.example',
      apiKey: 'ty_env',
    });
    expect(
      resolveConfig({ apiKey: 'ty_flag' }, { ...env, TRAINYARD_API_KEY: 'ty_env' }, dir),
    ).toMatchObject({ apiKey: 'ty_flag' });
    expect(
      resolveConfig({}, { ...env, TRAINYARD_API_URL: 'https://b.example' }, dir),
    ).toMatchObject({ apiUrl: 'https://b.example', apiKey: undefined });
  });

  it('without flag, variable or login: the running local platform’s platform.json, else 8787/8788', async () => {
    const data = join(dir, 'local-platform');
    await mkdir(data, { recursive: true });
    const file = join(data, 'platform.json');
    const env = { TRAINYARD_CONFIG: join(dir, 'no-login.json'), TRAINYARD_DATA_DIR: data };
    const listening = { api_url: 'http://127.0.0.1:18787', infer_url: 'http://127.0.0.1:18788' };
    await writeFile(file, JSON.stringify({ ...listening, pid: process.pid }));
    expect(resolveConfig({}, env, dir)).toMatchObject({
      apiUrl: listening.api_url,
      inferUrl: listening.infer_url,
    });
    // A flag or a variable still wins, for both URLs.
    expect(
      resolveConfig(
        { apiUrl: 'http://127.0.0.1:9000' },
        { ...env, TRAINYARD_INFER_URL: 'http://i' },
        dir,
      ),
    ).toMatchObject({ apiUrl: 'http://127.0.0.1:9000', inferUrl: 'http://i' });
    // Left by a platform that was killed (its process is gone): stale, so the defaults.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('close', resolve));
    await writeFile(file, JSON.stringify({ ...listening, pid: gone.pid }));
    expect(resolveConfig({}, env, dir)).toMatchObject({
      apiUrl: 'http://127.0.0.1:8787',
      inferUrl: undefined,
    });
  });
});
