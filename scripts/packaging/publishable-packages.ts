// The toolkit packages that are built and published (ADR 0007): every packages/* whose
// package.json is not `"private": true`, ordered so that a package comes after the in-repo
// packages it depends on (a build resolves a sibling's types from that sibling's dist/).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The fields of a package.json that packaging reads. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface PublishablePackage {
  /** Absolute path of the package folder. */
  dir: string;
  manifest: Manifest;
}

/** The repository root (this file lives in scripts/packaging/). */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Names a package needs at run time or in its published types. */
export function runtimeDependencies(manifest: Manifest): string[] {
  return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
}

/** Every publishable package under `<root>/packages`, dependencies first. */
export function publishablePackages(root = REPO_ROOT): PublishablePackage[] {
  const packagesDir = join(root, 'packages');
  const found = readdirSync(packagesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(packagesDir, e.name, 'package.json')))
    .map((e) => ({ dir: join(packagesDir, e.name), manifest: readManifest(join(packagesDir, e.name)) }))
    .filter((p) => p.manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  return dependenciesFirst(found);
}

/** `all` reordered so every package follows the packages of `all` it depends on. */
function dependenciesFirst(all: PublishablePackage[]): PublishablePackage[] {
  const byName = new Map(all.map((p) => [p.manifest.name, p]));
  const ordered: PublishablePackage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: PublishablePackage, path: string[]): void => {
    const name = p.manifest.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw new Error(`package dependency cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of runtimeDependencies(p.manifest)) {
      const sibling = byName.get(dep);
      if (sibling) visit(sibling, [...path, name]);
    }
    state.set(name, 'done');
    ordered.push(p);
  };
  for (const p of all) visit(p, []);
  return ordered;
}

/** The packages in `dirs` plus the in-repo packages they depend on, dependencies first. */
export function withInRepoDependencies(all: PublishablePackage[], dirs: string[]): PublishablePackage[] {
  const byName = new Map(all.map((p) => [p.manifest.name, p]));
  const wanted = new Set<string>();
  const add = (p: PublishablePackage): void => {
    if (wanted.has(p.manifest.name)) return;
    wanted.add(p.manifest.name);
    for (const dep of runtimeDependencies(p.manifest)) {
      const sibling = byName.get(dep);
      if (sibling) add(sibling);
    }
  };
  for (const dir of dirs) {
    const p = all.find((candidate) => candidate.dir === resolve(dir));
    if (!p) throw new Error(`${dir} is not a publishable package (packages/* without "private": true)`);
    add(p);
  }
  return all.filter((p) => wanted.has(p.manifest.name));
}
