import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { clientAddressKey } from '../../http/client-address.ts';
import { configuredPolicy, type RateLimitGuard } from '../../http/rate-limit-guard.ts';
import { normalizeEmail } from '../users/users-repo.ts';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The account a login names, as a key: a hash, so no email sits in Redis; in the one form login
 * and registration compare emails in (users-repo.ts), so two spellings of one account share limits.
 */
const accountKey = (email: string) =>
  createHash('sha256').update(normalizeEmail(email)).digest('base64url').slice(0, 22);

/**
 * Rate limits of the sessions routes (docs/adr/0010-rate-limits.md):
 * - login: per client IP (strict; also stops one client trying many accounts), per account and
 *   client IP (strict; one client guessing one password), and per account over every IP
 *   (generous; a distributed guess) — the last one only for clients that have not logged into
 *   that account before, so a flood from elsewhere cannot lock the owner out of a known client;
 * - refresh: per client IP (the session id is readable in every access token, so a per-session
 *   limit would let anyone who saw one deny its owner's refreshes);
 * - `user`: the default budget of every authenticated route, per user id (`app.authenticate`).
 * Every hook charges before the expensive work (scrypt, MySQL), so a flood costs one Redis call.
 */
export function createSessionLimits(opts: {
  guard: RateLimitGuard;
  limits: Config['rateLimit'];
  redis: Redis;
  /** Prefix of the known-client marks (the rate limiter's, so they live with the limits). */
  prefix: string;
  /** How long a successful login keeps its client known for the account: the session lifetime. */
  knownForSec: number;
}) {
  const { guard, redis } = opts;
  const policy = {
    loginIp: configuredPolicy('login-ip', opts.limits.loginIp),
    loginAccountIp: configuredPolicy('login-account-ip', opts.limits.loginAccountIp),
    loginAccount: configuredPolicy('login-account', opts.limits.loginAccount),
    refreshIp: configuredPolicy('refresh-ip', opts.limits.refreshIp),
    user: configuredPolicy('user', opts.limits.user),
  };
  const knownKey = (account: string, ip: string) => `${opts.prefix}known:${account}:${ip}`;
  /** What a login's hooks share: the account and client keys, computed once. */
  const logins = new WeakMap<FastifyRequest, { account: string; ip: string }>();

  const isKnown = async (request: FastifyRequest, account: string, ip: string): Promise<boolean> => {
    try {
      return (await redis.exists(knownKey(account, ip))) === 1;
    } catch (err) {
      // Redis down: the account-wide limit applies (from the in-process fallback).
      request.log.debug({ err }, 'known-client check unavailable');
      return false;
    }
  };

  const login: Hook = async (request, reply) => {
    const ip = clientAddressKey(request.ip);
    const email = (request.body as { email?: unknown } | undefined)?.email;
    // A body without an email (it fails validation next) still costs its client.
    if (typeof email !== 'string')
      return guard(request, reply, [policy.loginIp && { policy: policy.loginIp, key: ip }]);
    const account = accountKey(email);
    logins.set(request, { account, ip });
    const known = policy.loginAccount !== undefined && (await isKnown(request, account, ip));
    return guard(request, reply, [
      policy.loginIp && { policy: policy.loginIp, key: ip },
      policy.loginAccountIp && { policy: policy.loginAccountIp, key: `${account}:${ip}` },
      policy.loginAccount && !known ? { policy: policy.loginAccount, key: account } : undefined,
    ]);
  };

  /** onResponse of the login: a success makes this client known for the account. */
  const loginDone: Hook = async (request, reply) => {
    const subject = logins.get(request);
    if (reply.statusCode !== 200 || !subject || policy.loginAccount === undefined) return;
    try {
      await redis.set(knownKey(subject.account, subject.ip), '1', 'EX', opts.knownForSec);
    } catch (err) {
      request.log.debug({ err }, 'known-client mark not stored');
    }
  };

  const refresh: Hook = (request, reply) =>
    guard(request, reply, [
      policy.refreshIp && { policy: policy.refreshIp, key: clientAddressKey(request.ip) },
    ]);

  /** After the token is verified (`app.authenticate`): the per-user budget. */
  const user = (request: FastifyRequest, reply: FastifyReply, userId: string) =>
    guard(request, reply, [policy.user && { policy: policy.user, key: userId }]);

  return { login, loginDone, refresh, user };
}

export type SessionLimits = ReturnType<typeof createSessionLimits>;
