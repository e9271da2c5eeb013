#!/usr/bin/env bash
# Installs the system packages the test suite drives as real peers: the AWS CLI v2 (Debian's awscli).
# Idempotent; needs root (CI and the project's machines run as root) and Debian's package mirror.
set -euo pipefail

packages=()
[ -x /usr/bin/aws ] || packages+=(awscli)

if [ ${#packages[@]} -gt 0 ]; then
  echo "installing: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
