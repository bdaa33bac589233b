#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use: a real IMAP server (Dovecot),
# a real SMTP server (aiosmtpd), systemd-analyze (unit security score), headless Chromium
# (the browser engine, its tests and demo sample) and Selenium with chromium-driver (the
# per-signup browser script the browser benchmark compares against). Idempotent: does
# nothing when everything is present.
set -euo pipefail

packages=(dovecot-imapd python3-aiosmtpd python3-requests systemd
  chromium chromium-headless-shell fonts-liberation chromium-driver python3-selenium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
# The packages try to start system services; in containers that is refused, which is
# fine: the tests start their own servers on free loopback ports.
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
