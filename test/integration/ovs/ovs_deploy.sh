#!/bin/sh
# Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk) on slubq pools,
# tuned by a deployment file: a private ovsdb-server and ovs-vswitchd-dpdk
# (their own run directory, nothing of the system's OVS touched) with
# SLUBQ_CONFIG=config/stock-ovs.yaml, the plugin loaded through
# other_config:dpdk-extra, a netdev bridge with two net_null ports. Checks:
# the ports' mempools are on slubq with the file's rule (log and
# /slubq/info over OVS's DPDK telemetry socket), packets flow, OVS stops
# cleanly.
#   ovs_deploy.sh PLUGIN_SO CONFIG_DIR DEPS_SH [SECONDS]
# Exit 0 pass, 1 fail, 77 skipped (no hugepages, OVS not installable).
# Installs openvswitch-switch-dpdk through scripts/deps.sh.
. "$(dirname "$0")/../driver/common.sh"
plugin=$1; confdir=$2; deps=$3; secs=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
file="$confdir/stock-ovs.yaml"
skip() { echo "SKIPPED: $*"; exit 77; }

SLUBQ_EXTRA_PKGS=openvswitch-switch-dpdk sh "$deps" || skip "openvswitch-switch-dpdk cannot be installed"
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
[ -x "$vswitchd" ] || skip "$vswitchd is missing"
need_tool ovsdb-server
free_mb=$(awk '/^HugePages_Free:/ {f=$2} /^Hugepagesize:/ {s=$2} END {print int(f * s / 1024)}' /proc/meminfo)
if [ -n "$SLUBQ_TEST_NO_HUGE" ] || ! grep -q " hugetlbfs " /proc/mounts || [ "${free_mb:-0}" -lt 512 ]; then
	skip "OVS-DPDK needs 512 MiB of free hugepages (SLUBQ_TEST_NO_HUGE set, or only ${free_mb:-0} MiB)"
fi

D=$(mktemp -d)
prefix="slubq-ovs-$$"
db="unix:$D/db.sock"
export OVS_RUNDIR=$D OVS_LOGDIR=$D OVS_DBDIR=$D OVS_SYSCONFDIR=$D
vsctl() { ovs-vsctl --db="$db" --timeout=20 "$@"; }
cleanup() {
	# Only what this script started, by its pid files.
	for p in ovs-vswitchd:ovs-vswitchd-dpdk ovsdb-server:ovsdb-server; do
		name=${p%%:*}; prog=${p#*:}
		[ -f "$D/$name.pid" ] || continue
		pid=$(cat "$D/$name.pid")
		ovs-appctl -t "$D/$prog.$pid.ctl" exit >/dev/null 2>&1
		for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null
	done
	[ -n "$OVS_KEEP" ] && { echo "kept $D"; return; }
	rm -rf "$D" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT

ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema || fail "ovsdb-tool create"
ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" --pidfile="$D/ovsdb-server.pid" --detach \
	--log-file="$D/ovsdb-server.log" || fail "ovsdb-server does not start"
vsctl --no-wait init
# One lcore for the main thread, one PMD thread on cpu 1; per-port
# mempools (smaller than OVS's shared 256K-mbuf pool).
vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true other_config:pmd-cpu-mask=0x2 \
	other_config:per-port-memory=true other_config:dpdk-socket-mem=512 \
	other_config:dpdk-extra="--no-pci --file-prefix $prefix --vdev net_null0 --vdev net_null1 -d $(basename "$plugin") --mbuf-pool-ops-name slubq --log-level=lib.slubq:info"
LD_LIBRARY_PATH="$(dirname "$plugin")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" SLUBQ_CONFIG="$file" \
	env $STOCK_ENV "$vswitchd" "$db" --pidfile="$D/ovs-vswitchd.pid" --detach --log-file="$D/ovs-vswitchd.log" ||
	{ tail -30 "$D/ovs-vswitchd.log"; fail "ovs-vswitchd-dpdk does not start"; }
vsctl add-br br0 -- set bridge br0 datapath_type=netdev || fail "add-br"
vsctl add-port br0 p0 -- set Interface p0 type=dpdk options:dpdk-devargs=net_null0 || fail "add-port p0"
vsctl add-port br0 p1 -- set Interface p1 type=dpdk options:dpdk-devargs=net_null1 || fail "add-port p1"
sleep "$secs"
log="$D/ovs-vswitchd.log"
grep -E "SLUBQ|slubq|mempool" "$log" | sed 's/^/  | /' | head -20
rx=$(vsctl get Interface p0 statistics:rx_packets 2>/dev/null)
echo "p0 rx_packets: $rx"

fails=0
check() { if eval "$1"; then echo "ok    $2"; else echo "FAIL  $2"; fails=$((fails + 1)); fi; }
line=$(grep -n -- '- match: "ovs\*"' "$file" | cut -d: -f1)
check 'grep -q "$file: loaded, 1 mempool rule(s)" "$log"' "ovs-vswitchd loads $file through the plugin"
check 'grep -Eq "mempool ovs[0-9a-f]+: $file:$line:5: mempools\[0\] .ovs\*.: queue_size=1024 batch=512" "$log"' \
	"the port mempools take the rule mempools[0] (line $line)"
check '[ "${rx:-0}" -gt 0 ] 2>/dev/null' "packets flow through the bridge (p0 rx_packets $rx)"
sock="/var/run/dpdk/$prefix/dpdk_telemetry.v2"
info=$(python3 - "$here/../telemetry" "$sock" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
from tel_harness import Telemetry
t = Telemetry(sys.argv[2])
pools = [n for n in t.query('/slubq/list') if n.startswith('mp:ovs')]
print(json.dumps({n: t.query('/slubq/info,' + n) for n in pools}))
EOF
)
echo "telemetry: $(echo "$info" | head -c 400)"
check 'echo "$info" | python3 -c "
import json, sys
d = json.load(sys.stdin)
ok = len(d) >= 1 and all(i[\"queue_size\"] == 1024 and i[\"batch\"] == 512 and
                         i.get(\"config\", {}).get(\"rule\") == \"mempools[0]\" and
                         i[\"config\"].get(\"file\") == \"$file\" for i in d.values())
sys.exit(0 if ok else 1)"' "/slubq/info of every OVS mempool: queue 1024, batch 512, configured by $file"
pid=$(cat "$D/ovs-vswitchd.pid")
ovs-appctl -t "$D/ovs-vswitchd-dpdk.$pid.ctl" exit --cleanup || echo "ovs-appctl exit failed"
for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
check '! kill -0 "$pid" 2>/dev/null' "ovs-vswitchd exits on 'ovs-appctl exit --cleanup'"
[ $fails -eq 0 ] || { tail -40 "$log"; fail "$fails check(s) failed"; }
echo "PASS: OVS-DPDK on slubq pools tuned by $file"
