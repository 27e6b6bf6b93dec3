#!/bin/sh
# Installs Debian's Chromium for the outcomes service's headless report test, only when missing.
# Idempotent: a machine that already has /usr/bin/chromium does nothing. `make test` calls this.
set -eu

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "chromium is missing and this user cannot install packages (no root, no sudo)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
