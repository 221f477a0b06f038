// `npm run build`: builds the publishable toolkit packages to dist/ (JavaScript + .d.ts), in
// dependency order (ADR 0007). Nothing in the repository needs the build: apps and tests run
// the TypeScript sources through the `@surge/source` export condition.
//   node scripts/build-packages.ts           every package under packages/ that is not private
//   node scripts/build-packages.ts <dir>...  those packages and the in-repo packages they need
//                                            (each package's `npm run build` passes `.`)
import { buildPackage } from './packaging/build-package.ts';
import { publishablePackages, withInRepoDependencies } from './packaging/publishable-packages.ts';

const USAGE = `usage: npm run build [-- <package dir>...]

Builds the publishable toolkit packages to dist/ (JavaScript and .d.ts) in dependency order:
every package under packages/ that is not private, or the ones given and those they need.
`;
if (process.argv.slice(2).some((a) => a === '-h' || a === '--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const all = publishablePackages();
const selected = process.argv.length > 2 ? withInRepoDependencies(all, process.argv.slice(2)) : all;
try {
  for (const pkg of selected) buildPackage(pkg);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
