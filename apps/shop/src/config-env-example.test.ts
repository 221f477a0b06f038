import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.ts';

type Env = Record<string, string | undefined>;

const EXAMPLE = new URL('../../../.env.example', import.meta.url);

/** The `NAME=value` lines of `.env.example`, commented out (`# NAME=value`) or not. */
function exampleEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(EXAMPLE, 'utf8').split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    assert.ok(!entries.has(match[1]), `${match[1]} appears twice in .env.example`);
    entries.set(match[1], match[2] ?? '');
  }
  return entries;
}

/**
 * The variables `loadConfig` reads, observed through a proxy rather than parsed from its source,
 * so a new helper or spelling cannot slip past. Every profile is tried in case a read depends on it.
 */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  for (const profile of ['dev', 'test', 'production']) {
    const env = new Proxy<Env>(
      { SURGE_PROFILE: profile },
      {
        get(target, name) {
          if (typeof name === 'string') read.add(name);
          return Reflect.get(target, name) as string | undefined;
        },
      },
    );
    loadConfig(env, { needsJwtKeys: false });
  }
  return read;
}

describe('.env.example', () => {
  it('lists exactly the variables config.ts reads', () => {
    const listed = [...exampleEntries().keys()].sort();
    const read = [...variablesRead()].sort();
    assert.deepEqual(listed, read);
  });

  it('shows each variable with its default: setting the listed value changes nothing', () => {
    const defaults = loadConfig({}, { needsJwtKeys: false });
    for (const [name, value] of exampleEntries()) {
      assert.deepEqual(loadConfig({ [name]: value }, { needsJwtKeys: false }), defaults, name);
    }
  });

  // Issue 8, finding 13: errors named TypeBox paths (`/logLevel`), not the variables operators set.
  it('names the variable itself whenever its value is refused', () => {
    for (const name of exampleEntries().keys()) {
      try {
        loadConfig({ SURGE_PROFILE: 'dev', [name]: 'not:a:valid//value%' }, { needsJwtKeys: false });
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        const lines = err.message.split('\n').slice(1);
        assert.ok(lines.length > 0 && lines.every((l) => l.includes(name)), `${name}: ${err.message}`);
      }
    }
  });
});
