// The toolkit packages as a user gets them (ADR 0007): built, packed with `npm pack`, installed
// from the tarballs into a scratch project outside the repository (dependencies from the npm
// registry or its local cache), then imported by plain node — no type stripping, no export
// conditions — and type-checked against the published .d.ts with the repository's tsc.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { importSpecifiers, packageNameOf, relativeTsPaths } from './dist-scan.ts';
import {
  publishablePackages,
  REPO_ROOT,
  runtimeDependencies,
  type Manifest,
} from './publishable-packages.ts';

const execFileAsync = promisify(execFile);
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
// What a user's shell has: none of the repository's NODE_OPTIONS (the source condition) and no
// link to this test runner.
const { NODE_OPTIONS: _conditions, NODE_TEST_CONTEXT: _runner, ...plainEnv } = process.env;

/** Runs a command; on failure throws with everything it printed. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, env: plainEnv, maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
}

interface Packed {
  name: string;
  manifest: Manifest;
  tarball: string;
  files: string[];
}

/** Every import specifier `name` exports: the name itself for ".", `name/sub` for "./sub". */
function specifiersOf(manifest: Manifest): string[] {
  return Object.keys(manifest.exports ?? {}).map((sub) =>
    sub === '.' ? manifest.name : manifest.name + sub.slice(1),
  );
}

describe('published toolkit packages (build, npm pack, install, import with plain node)', () => {
  const packages = publishablePackages();
  const scratch = mkdtempSync(join(tmpdir(), 'surge-pack-'));
  const packed: Packed[] = [];

  before(async () => {
    await run(process.execPath, [join(REPO_ROOT, 'scripts/build-packages.ts')], REPO_ROOT);
    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs);
    for (const { dir, manifest } of packages) {
      // Built just above; `prepack` would build again.
      const out = await run(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs],
        dir,
      );
      const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
      assert.ok(info, `npm pack printed nothing for ${manifest.name}`);
      packed.push({
        name: manifest.name,
        manifest,
        tarball: join(tarballs, info.filename),
        files: info.files.map((f) => f.path),
      });
    }
    // Every @surge/* comes from its tarball, also as a dependency of another one: overrides keep
    // npm from looking the name up in the registry.
    const specs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
    const typesNode = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as Manifest
    ).version;
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify(
        {
          name: 'surge-consumer',
          private: true,
          type: 'module',
          dependencies: specs,
          devDependencies: { '@types/node': typesNode },
          overrides: specs,
        },
        null,
        2,
      ),
    );
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], scratch);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs every @surge/* package from its tarball, none from the registry', () => {
    assert.ok(packed.length > 0, 'no publishable package under packages/');
    const lock = JSON.parse(readFileSync(join(scratch, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const surge = Object.entries(lock.packages).filter(([path]) =>
      /(^|\/)node_modules\/@surge\/[^/]+$/.test(path),
    );
    assert.deepEqual(surge.map(([path]) => path).sort(), packed.map((p) => `node_modules/${p.name}`).sort());
    for (const [path, entry] of surge)
      assert.match(entry.resolved ?? '', /^file:.*\.tgz$/, `${path} resolved from ${entry.resolved}`);
  });

  it('ship dist/, README.md and LICENSE only, with every exports target present', () => {
    const licensed = existsSync(join(REPO_ROOT, 'LICENSE'));
    for (const p of packed) {
      const stray = p.files.filter(
        (f) => !/^(dist\/.+|package\.json|README\.md|LICENSE)$/.test(f) || /\.test\./.test(f),
      );
      assert.deepEqual(stray, [], `${p.name} ships files it should not`);
      assert.ok(p.files.includes('README.md'), `${p.name} has no README.md`);
      if (licensed) assert.ok(p.files.includes('LICENSE'), `${p.name} ships no LICENSE`);
      for (const [sub, targets] of Object.entries(p.manifest.exports ?? {})) {
        for (const condition of ['types', 'default']) {
          const target = targets[condition]?.replace(/^\.\//, '');
          assert.ok(
            target && p.files.includes(target),
            `${p.name} exports["${sub}"].${condition} -> ${target} is not in the tarball`,
          );
        }
      }
    }
  });

  it('declare every package their published JavaScript and types import', () => {
    const builtins = new Set(builtinModules);
    for (const p of packed) {
      const installed = join(scratch, 'node_modules', p.name);
      const declared = new Set(runtimeDependencies(p.manifest));
      const missing = importSpecifiers(installed)
        .filter((i) => !i.value.startsWith('.') && !i.value.startsWith('node:') && !builtins.has(i.value))
        .filter((i) => !declared.has(packageNameOf(i.value)))
        .map((i) => `${i.file}: ${i.value}`);
      assert.deepEqual(missing, [], `${p.name} imports packages missing from its dependencies`);
    }
  });

  it('name no .ts file in their published JavaScript or types', () => {
    for (const p of packed) {
      const installed = join(scratch, 'node_modules', p.name);
      const named = relativeTsPaths(installed).map((i) => `${i.file}: ${i.value}`);
      assert.deepEqual(named, [], `${p.name} still names .ts files`);
    }
  });

  it('export the same names from dist as from src, loaded by plain node', async () => {
    const specifiers = packed.flatMap((p) => specifiersOf(p.manifest));
    // A module is loaded as plain JavaScript or not at all: type stripping is off.
    const script = `const out = {}; for (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(await import(s)).sort(); console.log(JSON.stringify(out));`;
    const published = JSON.parse(
      await run(
        process.execPath,
        ['--no-experimental-strip-types', '--input-type=module', '-e', script],
        scratch,
      ),
    ) as Record<string, string[]>;
    for (const s of specifiers) {
      // This process resolves @surge/* to the sources (the repository's source condition).
      const source = Object.keys((await import(s)) as object).sort();
      assert.ok(source.length > 0, `${s} exports nothing`);
      assert.deepEqual(published[s], source, `${s}: dist exports differ from src`);
    }
  });

  it('type-check a consumer against the published .d.ts, and run it with plain node', async () => {
    copyFileSync(join(import.meta.dirname, 'consumer/consumer.ts'), join(scratch, 'consumer.ts'));
    const compilerOptions = {
      target: 'es2024',
      module: 'nodenext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      // Third-party declarations do not all check (bentocache names optional peers); the
      // consumer's @ts-expect-error probes fail instead if a published type degraded to `any`.
      skipLibCheck: true,
      types: ['node'],
    };
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['consumer.ts'] }),
    );
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], scratch);
    const out = await run(process.execPath, ['--no-experimental-strip-types', 'consumer.js'], scratch);
    assert.match(out, /^consumer ok$/m);
  });
});
