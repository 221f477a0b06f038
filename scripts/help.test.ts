import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each npm script as it runs (package.json), without npm around it. */
const COMMANDS: Record<string, string[]> = {
  start: ['bash', 'scripts/start.sh'],
  test: ['bash', 'scripts/test.sh'],
  bench: ['bash', 'scripts/bench.sh'],
  'infra:up': ['bash', 'scripts/infra/up.sh'],
  'infra:down': ['bash', 'scripts/infra/down.sh'],
  build: [process.execPath, 'scripts/build-packages.ts'],
  'admin:create': [process.execPath, '--conditions=@surge/source', 'apps/shop/src/cli/admin-create.ts'],
  gateway: [process.execPath, 'apps/payment-gateway/src/main.ts'],
  'user:set-role': [process.execPath, 'apps/shop/src/cli/user-account.ts', 'set-role'],
  'user:delete': [process.execPath, 'apps/shop/src/cli/user-account.ts', 'delete'],
  storm: ['bash', 'scripts/storm.sh'],
};

const run = (command: string[], args: string[]) => {
  const [file = '', ...rest] = command;
  return spawnSync(file, [...rest, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
};

/** Issue 8, finding 13: `npm run admin:create -- --help` died with ERR_PARSE_ARGS_UNKNOWN_OPTION. */
describe('every npm command answers --help', () => {
  for (const [name, command] of Object.entries(COMMANDS)) {
    it(`npm run ${name} -- --help prints its usage and exits 0, starting nothing`, () => {
      const res = run(command, ['--help']);
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /^usage: npm (run )?/);
      assert.equal(res.stderr, '');
    });
  }

  for (const name of ['start', 'test', 'infra:up', 'infra:down']) {
    it(`npm run ${name} with an unknown argument exits 2 with its usage`, () => {
      const res = run(COMMANDS[name] ?? [], ['--bogus']);
      assert.equal(res.status, 2);
      assert.match(res.stderr, /unexpected argument: --bogus[\s\S]*usage:/);
    });
  }

  it('npm run storm with an unknown option exits 2 with its usage, not a stack trace', () => {
    const res = run(COMMANDS.storm ?? [], ['--bogus']);
    assert.equal(res.status, 2, res.stderr);
    assert.match(res.stderr, /^storm: Unknown option '--bogus'[\s\S]*usage: npm run storm/);
    assert.doesNotMatch(res.stderr, /ERR_PARSE_ARGS|\n {4}at /);
  });
});
