#!/usr/bin/env bash
# Runs line N of README.md's quick start (the ```sh block after `<!-- quick-start`) as a newcomer would:
# in a fresh copy of the tree (what a clone of it holds: tracked and new files, nothing ignored, so no
# node_modules or dist) and with a PATH that has node and npm but no pnpm (every command of this PATH,
# linked into DIR/bin, less pnpm, pnpx and corepack). The first call prepares DIR; later calls reuse it.
# Usage: scripts/bare-machine.sh DIR N
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: scripts/bare-machine.sh DIR N}
n=${2:?usage: scripts/bare-machine.sh DIR N}

line=$(awk '/^<!-- quick-start/ { found = 1; next }
  found && /^```sh$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }' "$root/README.md" | sed -n "${n}p")
[ -n "$line" ] || { echo "bare-machine: README.md quick start has no line $n" >&2; exit 1; }

if [ ! -d "$dir/clone" ]; then
  mkdir -p "$dir/bin" "$dir/clone"
  IFS=: read -ra path_dirs <<<"$PATH"
  declare -A seen=()
  targets=()
  for d in "${path_dirs[@]}"; do
    for f in "$d"/*; do
      name=${f##*/}
      case $name in pnpm | pnpx | pnpm.* | pnpx.* | corepack) continue ;; esac
      # The first of a name on PATH wins, as it does for the shell.
      if [ -x "$f" ] && [ -z "${seen[$name]:-}" ]; then seen[$name]=1 && targets+=("$f"); fi
    done
  done
  ln -s -t "$dir/bin" "${targets[@]}"
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
    tar --null -T - -cf -) | tar -xf - -C "$dir/clone"
fi

bare_path="$dir/bin"
if PATH="$bare_path" command -v pnpm >/dev/null 2>&1; then
  echo "bare-machine: pnpm is still on the bare PATH" >&2
  exit 1
fi
for tool in node npm npx; do
  PATH="$bare_path" command -v "$tool" >/dev/null || { echo "bare-machine: no $tool on the bare PATH" >&2; exit 1; }
done
echo "bare machine: node $(PATH="$bare_path" node --version), npm $(PATH="$bare_path" npm --version), no pnpm on PATH"
echo "\$ $line"
cd "$dir/clone"
# Only the settings that say where the registry is pass on; pnpm's own npm_* variables would not exist there.
exec env -u NODE_OPTIONS $(env | sed -n 's/^\(npm_[^=]*\)=.*/-u \1/p' | grep -viE 'npm_config_(registry|userconfig|cafile)' || true) \
  PATH="$bare_path" bash -c "$line"
