import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api';
import { collectProblems, launchChromium, shot } from './browser';

// `/docs` (the API reference the README and the console link to) in a real browser, with every
// request that leaves the API's own origin refused: it must work on a machine without internet.

let api: TestApi;
let browser: Browser;
beforeAll(async () => {
  [api, browser] = await Promise.all([startTestApi(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('/docs', () => {
  it('renders the API reference from the API itself, with nothing fetched from elsewhere', async () => {
    const page = await browser.newPage();
    const problems = collectProblems(page);
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(api.url)) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    await page.goto(`${api.url}/docs`);
    // Swagger UI drew the operations of /openapi.json.
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    await expect(page.locator('.opblock-summary-path').allTextContents()).resolves.toContain(
      '/v1/fine-tuning/jobs',
    );
    await shot(page, 'docs');
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
