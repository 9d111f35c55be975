import { tryGetContext } from 'hono/context-storage';
import type { Child } from 'hono/jsx';

export interface LayoutProps {
  readonly title: string;
  /** Which nav entry is current. */
  readonly section?: 'datasets' | 'jobs' | 'models';
  /** Signed in: the nav and the sign-out button show. */
  readonly signedIn?: boolean;
  /** Load uPlot (charts) on this page. */
  readonly charts?: boolean;
  readonly children?: Child;
}

const NAV = [
  ['datasets', 'Datasets'],
  ['jobs', 'Jobs'],
  ['models', 'Models'],
] as const;

/** The page shell: header, nav, main; the console's own script and stylesheet (no CDN). */
export function Layout({ title, section, signedIn = true, charts = false, children }: LayoutProps) {
  const who = signedIn ? tryGetContext()?.get('consoleIdentity') : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Trainyard`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        {charts ? <link rel="stylesheet" href="/console/assets/uPlot.min.css" /> : null}
        {charts ? <script src="/console/assets/uPlot.iife.min.js" defer /> : null}
        <script src="/console/assets/console.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/console/datasets">
            Trainyard
          </a>
          {signedIn ? (
            <nav aria-label="Sections">
              {NAV.map(([id, label]) => (
                <a href={`/console/${id}`} aria-current={section === id ? 'page' : undefined}>
                  {label}
                </a>
              ))}
              <a href="/docs">API docs</a>
            </nav>
          ) : null}
          {who ? (
            <p class="who" data-identity>
              project <strong data-project>{who.project}</strong> · {who.role} key “{who.name}”
            </p>
          ) : null}
          {signedIn ? (
            <form method="post" action="/console/sign-out" class="sign-out">
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** An API error, shown where the panel would be. */
export function ErrorBox({ message }: { readonly message: string }) {
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** A status as a coloured badge. */
export function Status({ value }: { readonly value: string }) {
  return <span class={`badge badge-${value}`}>{value}</span>;
}

/** Unix seconds as an ISO-like UTC time. */
export function time(seconds: number | null | undefined): string {
  if (!seconds) return '—';
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A number with at most `digits` decimals; null as a dash. */
export function num(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(digits);
}
