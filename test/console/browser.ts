import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's `chromium` by default; `CHROMIUM_PATH` points elsewhere (`.ci/run` installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of each page land here (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

/** Headless Chromium (no sandbox when running as root, as in CI containers). */
export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: root ? ['--no-sandbox'] : [],
  });
}

/** Every console error, failed request and uncaught exception a page reports. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.stack ?? e.message} (${page.url()})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return problems;
}

/** Drops a file onto `selector` as a drag and drop from the desktop would. */
export async function dropFile(
  page: Page,
  selector: string,
  file: { name: string; type: string; data: Buffer },
): Promise<void> {
  // A string, evaluated in the page (DataTransfer and File are browser globals).
  const transfer = await page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(file.data.toString('base64'))}), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], ${JSON.stringify(file.name)}, { type: ${JSON.stringify(file.type)} }));
    return dt;
  })()`);
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

/** A full-page screenshot under ARTIFACTS. */
export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
