import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateKeyPem } from '../../src/modules/sessions/tokens.ts';
import { startService, type BenchProcess } from './processes.ts';

export interface ServiceWithProduct {
  service: BenchProcess;
  /** `GET` URL of one product, read once (warm in L1). */
  productUrl: string;
  /** The service's answer to that read. */
  productBody: string;
  /** POSTs JSON; throws on a non-2xx answer. */
  post: (path: string, body: unknown, token?: string) => Promise<Record<string, unknown>>;
  productId: string;
  /** An admin's access token (for more admin calls). */
  adminToken: string;
  /** The service's environment (database, topic prefix, JWT keys). */
  env: Record<string, string>;
}

/**
 * The service in production mode (startService) with fresh JWT keys, its own topic prefix and the
 * bench database, an admin made by `admin:create`, and one product created through the admin API —
 * the setup every HTTP benchmark starts from. `env` adds or overrides variables.
 */
export async function startServiceWithProduct(
  name: string,
  env: Record<string, string> = {},
): Promise<ServiceWithProduct> {
  const tag = crypto.randomUUID().slice(0, 8);
  const keys = await generateKeyPem();
  const admin = { email: `bench-${tag}@surge.local`, password: 'bench-admin-password' };
  const full: Record<string, string> = {
    MYSQL_URL: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/surge_bench',
    KAFKA_TOPIC_PREFIX: `bench-${tag}-`,
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    ...env,
  };
  const cli = fileURLToPath(new URL('../../src/cli/admin-create.ts', import.meta.url));
  const created = spawnSync(process.execPath, [cli, '--email', admin.email], {
    env: { ...process.env, ...full, ADMIN_PASSWORD: admin.password },
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`admin:create failed: ${created.stderr}`);

  const service = await startService(full, `/tmp/surge-bench-${name}-${tag}.log`);
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(service.baseUrl + path, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const { accessToken } = (await post('/v1/sessions', admin)) as { accessToken: string };
  const product = await post(
    '/v1/admin/products',
    { name: 'Benchmark phone', description: 'A product read many times', priceCents: 49_900 },
    accessToken,
  );
  const productUrl = `${service.baseUrl}/v1/products/${String(product.id)}`;
  const productBody = await (await fetch(productUrl, { signal: AbortSignal.timeout(10_000) })).text();
  return {
    service,
    productUrl,
    productBody,
    post,
    productId: String(product.id),
    adminToken: accessToken,
    env: full,
  };
}
