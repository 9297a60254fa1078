#!/usr/bin/env bash
# Installs the PostgreSQL server binaries the history tests need: they initdb and start their
# own throwaway clusters in temp directories (test/support/postgres.ts) as the `postgres` user
# the package creates. The system's own cluster is never started.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && id -u postgres >/dev/null 2>&1; then
  exit 0
fi
# policy-rc.d exiting 101 tells invoke-rc.d not to start services while packages install.
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
fi
install() { apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >/dev/null; }
install || { apt-get -o DPkg::Lock::Timeout=600 update -qq && install; }
if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
# Anything that still started (systemd, no policy-rc.d honoured) is stopped.
service postgresql stop >/dev/null 2>&1 || true
