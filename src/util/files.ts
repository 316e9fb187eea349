// Small file-system helpers.
import { readFile } from 'node:fs/promises';

/** The file's text, or undefined when it cannot be read (missing, unreadable). */
export async function readIfPresent(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
