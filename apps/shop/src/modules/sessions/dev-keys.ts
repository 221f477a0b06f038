import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPem } from './tokens.ts';

export interface KeyPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

const FILE = 'jwt-es256.json';

async function readKeys(file: string): Promise<KeyPem | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const keys = JSON.parse(text) as Partial<KeyPem>;
  if (
    typeof keys.privateKeyPem !== 'string' ||
    !keys.privateKeyPem.includes('PRIVATE KEY') ||
    typeof keys.publicKeyPem !== 'string' ||
    !keys.publicKeyPem.includes('PUBLIC KEY')
  ) {
    throw new Error(`${file} does not hold a PEM key pair; delete it to generate a new one`);
  }
  return { privateKeyPem: keys.privateKeyPem, publicKeyPem: keys.publicKeyPem };
}

/**
 * The ES256 key pair of local (dev/test-profile) instances that have no configured keys: read
 * from `<dir>/jwt-es256.json`, or generated once and written there (directory 0700, file 0600),
 * so every instance of a checkout signs and verifies with the same key under the same `kid`
 * (issue 8, finding 10: each instance used to generate its own). Instances starting together
 * agree too: the file appears atomically (a hard link of a complete temporary file), and the one
 * that loses the race reads the winner's. Production never comes here: its keys are required.
 */
export async function loadOrCreateDevKeys(dir: string): Promise<KeyPem> {
  const file = join(dir, FILE);
  const existing = await readKeys(file);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = await generateKeyPem();
  const temporary = join(dir, `.${FILE}.${randomUUID()}.tmp`);
  await writeFile(temporary, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
    return keys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readKeys(file);
    if (!winner) throw err;
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}
