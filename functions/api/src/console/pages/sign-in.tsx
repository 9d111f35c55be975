import { Layout } from './layout';

/** The sign-in form: an API key, posted once, kept only in the sealed HttpOnly cookie. */
export function SignInPage({ error, next }: { readonly error?: string; readonly next: string }) {
  return (
    <Layout title="Sign in" signedIn={false}>
      <section class="card narrow">
        <h1>Sign in</h1>
        <p>
          Use an API key: <code>npm start</code> prints one, <code>npm run keys -- create</code>{' '}
          makes more. The key stays on the server's side of an HttpOnly cookie.
        </p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <form method="post" action="/console/sign-in" class="stack">
          <input type="hidden" name="next" value={next} />
          <label for="api_key">API key</label>
          <input
            id="api_key"
            name="api_key"
            type="password"
            autocomplete="current-password"
            required
            autofocus
          />
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}
