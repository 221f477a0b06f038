// Reads a built package as text, for the pack test: what its files import, and what .ts paths
// they still name (a `new URL('./x.ts', import.meta.url)` that tsc does not rewrite).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Found {
  /** Path relative to the package folder. */
  file: string;
  value: string;
}

/** `from '…'`, `import('…')` and `import '…'` in emitted JavaScript and declarations. */
const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
/** A quoted relative path ending in `.ts` (declaration files' own `.d.ts` names excluded). */
const RELATIVE_TS_PATH = /(['"`])(\.{1,2}\/[^'"`\n]*(?<!\.d)\.ts)\1/g;

/** The .js and .d.ts files of a package folder, without its node_modules. */
function builtFiles(packageDir: string): string[] {
  return readdirSync(packageDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(js|d\.ts)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !relative(packageDir, f).split('/').includes('node_modules'));
}

function scan(packageDir: string, pattern: RegExp, group: number): Found[] {
  return builtFiles(packageDir).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => ({
      file: relative(packageDir, file),
      value: m[group] ?? '',
    })),
  );
}

/** Every import specifier in the package's built files. */
export function importSpecifiers(packageDir: string): Found[] {
  return scan(packageDir, IMPORT_SPECIFIER, 2);
}

/** Every relative `.ts` path the package's built files still name. */
export function relativeTsPaths(packageDir: string): Found[] {
  return scan(packageDir, RELATIVE_TS_PATH, 2);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}
