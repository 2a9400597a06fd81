# shellcheck shell=bash
# browser_ensure: headless Chromium from Debian's package and playwright-core (the driver alone,
# which never downloads a browser) from the npm registry, installed once into
# $MODELSHIP_CACHE/node (default ~/.cache/modelship/node). Prints the directory to put on
# NODE_PATH. Sourced by the suites that drive a browser; needs root for apt-get and Node.js 20+.
PLAYWRIGHT_CORE_VERSION=1.65.2

browser_ensure() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  # shellcheck source=scripts/apt.sh
  . "$root/scripts/apt.sh"
  apt_ensure /usr/bin/chromium\|chromium node\|nodejs npm\|npm >&2 || return 1
  dir="${MODELSHIP_CACHE:-$HOME/.cache/modelship}/node/playwright-core-$PLAYWRIGHT_CORE_VERSION"
  if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
    mkdir -p "$dir"
    echo "installing playwright-core $PLAYWRIGHT_CORE_VERSION into $dir" >&2
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$dir" --no-audit --no-fund \
      --ignore-scripts --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" >&2 || return 1
  fi
  printf '%s\n' "$dir/node_modules"
}
