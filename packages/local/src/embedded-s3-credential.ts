import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The embedded store's SigV4 credential, as `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` use it. */
export interface EmbeddedS3Credential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function parse(text: string): EmbeddedS3Credential | undefined {
  try {
    const value = JSON.parse(text) as Partial<EmbeddedS3Credential>;
    return typeof value.accessKeyId === 'string' &&
      /^[A-Z0-9]{20}$/.test(value.accessKeyId) &&
      typeof value.secretAccessKey === 'string' &&
      value.secretAccessKey.length >= 40
      ? { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey }
      : undefined;
  } catch {
    return undefined;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newCredential(): EmbeddedS3Credential {
  const id = [...randomBytes(16)].map((b) => ALPHABET[b % 32]).join('');
  return {
    accessKeyId: `TYLOCAL${id}`.slice(0, 20),
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

/**
 * The per-install credential of the embedded store, generated on first start and kept in `file`
 * (mode 0600; its directory, the data directory, made 0700), so that only this user's
 * processes can sign requests to the store.
 */
export async function ensureEmbeddedS3Credential(file: string): Promise<EmbeddedS3Credential> {
  const directory = dirname(file);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const saved = text === undefined ? undefined : parse(text);
  if (saved) {
    await chmod(file, 0o600);
    return saved;
  }
  const credential = newCredential();
  // `wx`: two first starts at once cannot both write; the loser reads the winner's.
  try {
    await writeFile(file, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (text === undefined) return ensureEmbeddedS3Credential(file);
    // A file that is not a credential (hand-edited, truncated): replace it.
    await writeFile(file, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  }
  await chmod(file, 0o600);
  return credential;
}
