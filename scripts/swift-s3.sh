#!/bin/bash
# Adapted from the shared reference set-up; used by test/support/swift.ts for the S3 blob store suite.
# Single-node OpenStack Swift with the s3api middleware (a real S3-compatible server from Debian bookworm),
# for tests. Needs: apt-get install -y --no-install-recommends swift swift-proxy swift-object swift-account swift-container memcached
# usage: scripts/swift-s3.sh BASE_DIR [S3_PORT]      -> S3 endpoint http://127.0.0.1:S3_PORT, access key test:tester, secret testing
#        BASE_DIR/pids.txt lists the PIDs it started (stop them with: kill $(awk '{print $2}' BASE_DIR/pids.txt))
set -euo pipefail
S=${1:?base dir}; PORT=${2:-18080}
OBJ=$((PORT + 10)); CON=$((PORT + 11)); ACC=$((PORT + 12)); MC=$((PORT + 13))
mkdir -p "$S/etc" "$S/srv/node/sdb1" "$S/log" "$S/cache"
cat > "$S/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PORT
workers = 1
user = swift
swift_dir = $S/etc
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
allow_account_management = true
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MC
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
for kind in object:$OBJ container:$CON account:$ACC; do
  n=${kind%%:*}; p=${kind##*:}
  cat > "$S/etc/$n-server.conf" <<EOF
[DEFAULT]
devices = $S/srv/node
mount_check = false
bind_ip = 127.0.0.1
bind_port = $p
workers = 1
user = swift
swift_dir = $S/etc
[pipeline:main]
pipeline = healthcheck recon $n-server
[app:$n-server]
use = egg:swift#$n
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:recon]
use = egg:swift#recon
recon_cache_path = $S/cache
[$n-replicator]
[$n-updater]
[$n-auditor]
EOF
  ( cd "$S/etc" && rm -f $n.builder $n.ring.gz && swift-ring-builder $n.builder create 10 1 1 >/dev/null \
    && swift-ring-builder $n.builder add r1z1-127.0.0.1:$p/sdb1 1 >/dev/null && swift-ring-builder $n.builder rebalance >/dev/null ) || true
done
chown -R swift:swift "$S"
: > "$S/pids.txt"
memcached -u memcache -l 127.0.0.1 -p $MC -m 32 > "$S/log/memcached.log" 2>&1 & echo "memcached $!" >> "$S/pids.txt"
for n in object container account proxy; do
  /usr/bin/swift-$n-server "$S/etc/$n-server.conf" > "$S/log/$n.log" 2>&1 & echo "$n $!" >> "$S/pids.txt"
done
for i in $(seq 1 500); do curl -sf "http://127.0.0.1:$PORT/healthcheck" >/dev/null && { echo "swift s3api ready on http://127.0.0.1:$PORT"; exit 0; }; sleep 0.2; done
echo "swift did not start; see $S/log" >&2; exit 1
