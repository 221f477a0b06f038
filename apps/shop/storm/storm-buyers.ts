import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../src/db/schema.ts';
import type { Role, TokenService } from '../src/modules/sessions/tokens.ts';

export interface Buyer {
  id: string;
  authorization: string;
}

/**
 * Accounts for the storm, created straight in MySQL (real rows, so every account check the
 * service makes passes) with tokens signed by the service's own key — as an operator holding
 * the key could. Logging 2,000 buyers in would spend the run hashing passwords, which is not
 * what the storm tests; the service still verifies every token on every request. Their password
 * hash is random bytes: nobody can log in as them.
 */
export async function createBuyers(
  db: Kysely<Database>,
  tokens: TokenService,
  count: number,
  role: Role = 'user',
): Promise<Buyer[]> {
  const runTag = crypto.randomUUID().slice(0, 13);
  const rows = Array.from({ length: count }, (_, i) => ({
    id: uuidv7(),
    email: `storm-${runTag}-${i}@storm.surge.invalid`,
    password_hash: `storm$${randomBytes(16).toString('hex')}`,
    display_name: `Storm buyer ${i}`,
    role,
    created_at: new Date(),
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('users')
      .values(rows.slice(i, i + 500))
      .execute();
  }
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      authorization: `Bearer ${await tokens.sign({ sub: r.id, role, sid: crypto.randomUUID() })}`,
    })),
  );
}
