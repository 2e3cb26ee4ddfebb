#!/usr/bin/env bash
# Debian packages openclaw-kernel needs beyond Node: a real Jupyter to run the kernel
# and notebooks (jupyter-client, nbclient, nbconvert, jupyter-server, the classic notebook UI, ipykernel as the
# benchmark peer), bubblewrap for the exec sandbox, chromium for the browser tests,
# python3 for the seed's rag.py-style skills, openssl for mTLS test certificates, jupyterhub for
# the shared-host test (scripts/hub-test.sh), gcc + libc6-dev to build the seccomp wrapper of the doctor
# probe-cache test.
#   scripts/system-deps.sh          install what is missing (needs root or sudo; apt-get)
#   scripts/system-deps.sh --check  only report; exit 1 if something is missing
set -euo pipefail
PKGS=(gcc libc6-dev python3 jupyter-client python3-jupyter-client python3-nbclient jupyter-nbconvert jupyter-server jupyter-notebook python3-ipykernel bubblewrap chromium openssl jupyterhub)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${PKGS[*]})"
  exit 0
fi
echo "system packages missing: ${missing[*]}"
if [ "${1:-}" = "--check" ]; then exit 1; fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install Jupyter (jupyter_client, nbclient, nbconvert, jupyter_server, ipykernel), bubblewrap and chromium with your system's package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else echo "run as root: apt-get install -y ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
echo "system packages: installed ${missing[*]}"
