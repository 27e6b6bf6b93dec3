#!/usr/bin/env bash
# Installs the Debian packages the deployment and report tests need, only when missing:
#   prometheus -> promtool (checks and unit-tests the alert rules)
#   chromium   -> the headless browser that renders the outcomes report page
# Idempotent: a second run finds everything present and changes nothing. Works as root (as CI runs)
# and through sudo otherwise. Prints every step it takes.
set -euo pipefail

# command the test needs -> Debian package that provides it
declare -A PROVIDER=(
    [promtool]=prometheus
    [chromium]=chromium
)

missing=()
for command in "${!PROVIDER[@]}"; do
    if command -v "$command" >/dev/null 2>&1; then
        echo "install-system-packages: $command found at $(command -v "$command")"
    else
        echo "install-system-packages: $command missing, needs Debian package ${PROVIDER[$command]}"
        missing+=("${PROVIDER[$command]}")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-system-packages: nothing to install"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-system-packages: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-packages: apt-get not found (not Debian/Ubuntu); install ${missing[*]} by hand" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-system-packages: ${as_root[*]:+${as_root[*]} }apt-get update"
"${as_root[@]}" apt-get update
echo "install-system-packages: ${as_root[*]:+${as_root[*]} }apt-get install -y --no-install-recommends ${missing[*]}"
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

for command in "${!PROVIDER[@]}"; do
    if ! command -v "$command" >/dev/null 2>&1; then
        echo "install-system-packages: $command still missing after installing ${PROVIDER[$command]}" >&2
        exit 1
    fi
done
echo "install-system-packages: done"
