#!/usr/bin/env bash
# Makes sure `redis-server` is available for the user-session cache tests and bench: Debian's
# `redis-server` package, installed with apt-get when missing and this user may install packages.
# REDIS_SERVER_PATH overrides. The tests start their own server on a free port (test/helpers/redis.ts);
# the package's service is not used.
set -euo pipefail

for candidate in "${REDIS_SERVER_PATH:-}" /usr/bin/redis-server "$(command -v redis-server 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    exit 0
  fi
done

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "ensure-redis: installing Debian's redis-server for the session cache tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  exit 0
fi

echo "ensure-redis: no redis-server found. Install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_SERVER_PATH." >&2
exit 1
