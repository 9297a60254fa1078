#!/usr/bin/env bash
# Installs the Debian packages the network lab (npm run test:lab) needs, and Prometheus for the
# exporter tests (npm test and the lab start their own `prometheus` and use `promtool`), then
# makes sure none of their daemons is left running in the root namespace: the tests start their
# own copies (inside the lab's namespaces, or on a free loopback port), with their own configs.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d exiting 101 tells invoke-rc.d not to start services while packages install.
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
fi
packages=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind chrony snmpd tftpd-hpa nginx-light openbsd-inetd nftables iproute2 iputils-ping dnsutils netcat-openbsd openssl prometheus)
# A fresh machine may have no package lists yet: update once and retry when the first try fails.
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${packages[@]}" ||
  { apt-get -o DPkg::Lock::Timeout=600 update && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${packages[@]}"; }
if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
# Anything that still started (no policy-rc.d honoured, or systemd) is stopped by service name.
for svc in samba-ad-dc smbd nmbd winbind chrony snmpd tftpd-hpa nginx openbsd-inetd prometheus; do
  service "$svc" stop >/dev/null 2>&1 || true
done
# The lab's servers must only ever listen inside its namespaces.
if ss -Hlntup | grep -E '"(samba|smbd|nmbd|winbindd|nginx|snmpd|chronyd|in.tftpd|inetd|prometheus)"'; then
  echo 'lab-deps: a lab daemon listens in the root namespace (above); stop it before running the lab' >&2
  exit 1
fi
