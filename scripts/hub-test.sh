#!/usr/bin/env bash
# The shared-host check through a real JupyterHub (issue 16), about 30 s; npm test runs it
# through tests/hub/jupyterhub.test.ts when root and jupyterhub are there: Debian's jupyterhub with configurable-http-proxy from
# npm on 127.0.0.1, two Linux users created for the run (removed after). Through the
# hub's REST API each user gets a server and an openclaw kernel, and each kernel runs
# `%openclaw gateway start`: both gateways run at once (the second user's kernel finds
# the default port taken by the first user and picks a free one); user B's process is
# refused by A's gateway (HTTP and WebSocket); B cannot read A's state dir, audit log
# or RAG index; an admin-pinned key cannot be loosened by B's config.
#   sudo scripts/hub-test.sh        (needs root; scripts/system-deps.sh installs jupyterhub)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "hub-test: run as root (creates two users)" >&2; exit 1; }
command -v jupyterhub >/dev/null || { echo "hub-test: no jupyterhub: run scripts/system-deps.sh" >&2; exit 1; }
CHP="$ROOT/node_modules/.bin/configurable-http-proxy"
[ -x "$CHP" ] || { echo "hub-test: no configurable-http-proxy: run npm ci" >&2; exit 1; }
[ -f "$ROOT/dist/bin/openclaw-kernel.js" ] || { echo "hub-test: build first (npm run build)" >&2; exit 1; }

D="$(mktemp -d /tmp/openclaw-hub-XXXXXX)"
chmod 755 "$D"
A="ochuba$RANDOM"; B="ochubb$RANDOM"
HUB_PID=""
cleanup() {
  [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null || true
  for u in "$A" "$B"; do pkill -u "$u" 2>/dev/null || true; sleep 0.5; userdel -r -f "$u" 2>/dev/null || true; done
  rm -rf "$D"
}
trap cleanup EXIT
useradd -m -s /bin/sh -U "$A"; useradd -m -s /bin/sh -U "$B"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HUB_PORT=$(free_port); API_PORT=$(free_port); HUB_API_PORT=$(free_port)
TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(24))')

# The kernelspec where every user's Jupyter finds it, and the admin's pins.
node "$ROOT/bin/openclaw-kernel" install --prefix "$D/jp" --name openclaw >/dev/null
mkdir -p "$D/etc"; echo '{"tools":{"exec":{"applyPatch":{"enabled":false},"timeoutSec":120}}}' > "$D/etc/openclaw.json"
chmod -R a+rX "$D/jp" "$D/etc"

cat > "$D/jupyterhub_config.py" <<PY
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = $HUB_PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = $HUB_API_PORT
c.JupyterHub.db_url = "sqlite:///$D/hub.sqlite"
c.JupyterHub.cookie_secret_file = "$D/cookie_secret"
c.JupyterHub.pid_file = "$D/hub.pid"
c.ConfigurableHTTPProxy.command = ["$CHP"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:$API_PORT"
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.Authenticator.allowed_users = {"$A", "$B"}
c.Spawner.cmd = ["jupyterhub-singleuser"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {"JUPYTER_PATH": "$D/jp/share/jupyter", "OPENCLAW_SYSTEM_CONFIG": "$D/etc/openclaw.json", "PATH": "/usr/local/bin:/usr/bin:/bin"}
c.JupyterHub.services = [{"name": "hub-test", "api_token": "$TOKEN"}]
c.JupyterHub.load_roles = [{"name": "hub-test", "scopes": ["admin:users", "admin:servers", "access:servers"], "services": ["hub-test"]}]
PY
cd "$D"
jupyterhub -f "$D/jupyterhub_config.py" >"$D/hub.log" 2>&1 &
HUB_PID=$!
cd "$ROOT"
echo "hub-test: hub on 127.0.0.1:$HUB_PORT (log $D/hub.log), users $A and $B"

set +e
/usr/bin/python3 "$ROOT/scripts/hub-test.py" "http://127.0.0.1:$HUB_PORT" "$TOKEN" "$A" "$B" "$ROOT" "$D/etc/openclaw.json"
rc=$?
set -e
[ $rc = 0 ] || { echo "--- hub log (tail)"; tail -40 "$D/hub.log"; }
exit $rc
