# shellcheck shell=bash
# apt_install PKG...: installs Debian packages from the machine's package registry, quietly. A
# failure is retried once after `apt-get update` (a fresh machine's package lists may be stale).
# Sourced by the scripts that install what they need; needs root.
apt_install() {
  local log
  log=$(mktemp)
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1 ||
    { apt-get update -q >>"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; }; then
    rm -f "$log"
    return 0
  fi
  printf 'apt-get install %s failed:\n' "$*" >&2
  tail -n 15 "$log" >&2
  rm -f "$log"
  return 1
}

# apt_download PKG=VERSION: downloads one .deb into the current directory, with the same retry.
apt_download() {
  apt-get download -q "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get download -q "$1" >&2; }
}

# apt_ensure WHAT|PKG...: installs each PKG whose WHAT is missing; WHAT is a command on PATH, or
# an absolute path that the package installs. Prints what it installs, on stderr.
apt_ensure() {
  local entry what pkg missing=()
  for entry in "$@"; do
    IFS='|' read -r what pkg <<<"$entry"
    if [[ $what == /* ]]; then [ -e "$what" ] && continue; else command -v "$what" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  printf 'installing Debian packages: %s\n' "${missing[*]}" >&2
  apt_install "${missing[@]}"
}
