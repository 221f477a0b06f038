// Builds one publishable package into its dist/ (ADR 0007): tsc emits JavaScript and .d.ts from
// the package's tsconfig.build.json, then runtime assets and the repository LICENSE are copied in.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT, type PublishablePackage } from './publishable-packages.ts';

const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

/**
 * Relative `.ts` specifiers in emitted declarations (`from './x.ts'`, `import('./x.ts')`).
 * tsc rewrites them in JavaScript only (microsoft/TypeScript#61037); tsc itself reads either, but
 * other tools reading the published types expect the `.js` the runtime files have.
 */
const TS_SPECIFIER_IN_DTS = /((?:from\s+|import\s*\(\s*)(['"])\.{1,2}\/[^'"]*?)\.ts(\2)/g;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Non-TypeScript files under src/ (Lua scripts read beside their module at run time). */
function copyAssets(src: string, dist: string): number {
  const assets = filesUnder(src).filter((f) => !f.endsWith('.ts'));
  for (const file of assets) {
    const target = join(dist, relative(src, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  return assets.length;
}

function rewriteDeclarationSpecifiers(dist: string): void {
  for (const file of filesUnder(dist).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(TS_SPECIFIER_IN_DTS, '$1.js$3');
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

/** Replaces `<package>/dist` with a fresh build; throws when tsc reports errors. */
export function buildPackage(pkg: PublishablePackage): void {
  const { dir, manifest } = pkg;
  const config = join(dir, 'tsconfig.build.json');
  if (!existsSync(config)) throw new Error(`${manifest.name}: no tsconfig.build.json (see docs/adr/0007)`);
  const dist = join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [TSC, '-p', config], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`${manifest.name}: tsc -p ${relative(REPO_ROOT, config)} failed`);
  rewriteDeclarationSpecifiers(dist);
  const assets = copyAssets(join(dir, 'src'), dist);
  // npm packs a LICENSE only from the package folder; the repository has one licence for all.
  const license = join(REPO_ROOT, 'LICENSE');
  if (existsSync(license)) copyFileSync(license, join(dir, 'LICENSE'));
  console.log(`built ${manifest.name} -> ${relative(REPO_ROOT, dist)} (${assets} assets copied)`);
}
