#!/usr/bin/env bash
# Installs the system packages the test suite drives as real peers: the AWS CLI v2 (Debian's awscli), SIPp
# (sip-tester) as the SIP callee, espeak-ng, the text-to-speech engine of the `sip` adapter, and Chromium, the
# browser the agent console's end-to-end test drives through playwright-core (never a browser of Playwright's own).
# Idempotent; needs root (CI and the project's machines run as root) and Debian's package mirror.
set -euo pipefail

packages=()
[ -x /usr/bin/aws ] || packages+=(awscli)
[ -x /usr/bin/sipp ] || packages+=(sip-tester)
[ -x /usr/bin/espeak-ng ] || packages+=(espeak-ng)
[ -x /usr/bin/chromium ] || packages+=(chromium)

if [ ${#packages[@]} -gt 0 ]; then
  echo "installing: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
