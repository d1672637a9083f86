namespace Volt.Vms.Kernels;

/// <summary>
/// The initramfs's <c>/init</c> and the guest agent Volt writes into every initramfs. The init loads the virtio modules
/// (dependencies first), applies <c>ip=</c> from the command line to eth0 (the kernel's own ip= runs before the module
/// loads), mounts <c>root=</c> (default <c>/dev/vda</c>), points the root's <c>/etc/resolv.conf</c> at ip='s first DNS
/// server (volt-dns on the gateway, as a container's; not through a symlink, not on a read-only root), moves
/// <c>/proc</c>, <c>/sys</c> and <c>/dev</c> into the guest root, starts the exec agent on ttyS1 inside it, and
/// <c>switch_root</c>s into the disk's <c>init=</c> (default <c>/sbin/init</c>). The agent answers only once PID 1 runs
/// in the guest root (after switch_root). <c>volt.probe</c> (the KVM probe
/// boot) prints <see cref="ProbeMarker"/> and powers off at once.
/// </summary>
public static class InitScripts
{
    /// <summary>
    /// The first 16 hex digits of the SHA-256 of <see cref="Init"/> and <see cref="Agent"/>: recorded in a profile
    /// whose initramfs Volt built, so a profile built by an older Volt (another init, e.g. the one whose agent lost the
    /// race with switch_root) is seen and its initramfs rebuilt (<see cref="InitramfsRefresher"/>).
    /// </summary>
    public static string Hash { get; } = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes(Init.ReplaceLineEndings("\n") + "\n\0\n" + Agent.ReplaceLineEndings("\n"))))[..16];

    public const string ProbeMarker = "VOLT-PROBE-OK";
    public const string InitMarker = "volt-initramfs: start";
    public const string ExitMarker = "VOLT-EXIT";
    public const string ReadyMarker = "VOLT-AGENT-READY";

    public const string Init = """
#!/bin/busybox sh
B=/bin/busybox
$B mount -t devtmpfs dev /dev 2>/dev/null
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
echo "volt-initramfs: start"
root=/dev/vda; fstype=ext4; init=/sbin/init; probe=; ipcfg=; rwmode=rw
for a in $($B cat /proc/cmdline); do
  case "$a" in
    root=*) root=${a#root=} ;;
    rootfstype=*) fstype=${a#rootfstype=} ;;
    init=*) init=${a#init=} ;;
    ip=*) ipcfg=${a#ip=} ;;
    ro) rwmode=ro ;;
    volt.probe) probe=1 ;;
  esac
done
if [ -n "$probe" ]; then echo "VOLT-PROBE-OK"; $B poweroff -f; fi
for m in $($B cat /etc/modules); do $B insmod /lib/modules/$m.ko 2>/dev/null; done
if [ -n "$ipcfg" ] && [ "$ipcfg" != off ] && [ "$ipcfg" != dhcp ]; then
  IFS=: read -r cip sip gw mask host dev auto dns0 rest <<EOF_IP
$ipcfg
EOF_IP
  dev=${dev:-eth0}
  i=0; while [ ! -e /sys/class/net/$dev ] && [ $i -lt 300 ]; do $B usleep 10000; i=$((i+1)); done
  $B ip link set lo up
  $B ip addr add "$cip/$mask" dev "$dev" && $B ip link set "$dev" up
  [ -n "$gw" ] && $B ip route add default via "$gw" dev "$dev"
  [ -n "$host" ] && $B hostname "$host"
fi
case "$root" in LABEL=*|UUID=*) root=$($B findfs "$root") ;; esac
i=0; while [ ! -b "$root" ] && [ $i -lt 1000 ]; do $B usleep 10000; i=$((i+1)); done
$B mkdir -p /newroot
if ! $B mount -t "$fstype" -o "$rwmode" "$root" /newroot; then
  echo "volt-initramfs: cannot mount root $root ($fstype)"; $B poweroff -f
fi
if [ -n "$dns0" ] && [ "$rwmode" = rw ] && [ -d /newroot/etc ] && [ ! -L /newroot/etc/resolv.conf ]; then
  echo "nameserver $dns0" >/newroot/etc/.resolv.conf.volt && $B mv -f /newroot/etc/.resolv.conf.volt /newroot/etc/resolv.conf
fi
# /proc, /sys and /dev go into the root disk (as initramfs-tools does), before the agent starts there: busybox runs
# its applets through /proc/self/exe, so a guest whose init has not mounted /proc yet still runs the agent's commands.
for d in proc sys dev; do
  $B mkdir -p /newroot/$d 2>/dev/null
  $B mount --move /$d /newroot/$d || { [ $d = dev ] || $B umount /$d; }
done
$B mkdir -p /newroot/dev/.volt
$B cp /bin/busybox /etc/agent /newroot/dev/.volt/
if [ -c /newroot/dev/ttyS1 ]; then
  # The agent must be running from the root disk's side before switch_root empties the initramfs (it would take
  # /bin/busybox away from a child that has not exec'd yet) and moves /newroot: wait (bounded) for its mark.
  $B setsid $B chroot /newroot /dev/.volt/busybox sh /dev/.volt/agent </dev/null >/dev/null 2>&1 &
  i=0; while [ ! -e /newroot/dev/.volt/agent.started ] && [ $i -lt 1000 ]; do $B usleep 10000; i=$((i+1)); done
  [ -e /newroot/dev/.volt/agent.started ] || echo "volt-initramfs: the exec agent did not start"
fi
[ -x "/newroot$init" ] || [ -L "/newroot$init" ] || { echo "volt-initramfs: no $init in the root disk"; $B poweroff -f; }
exec $B switch_root /newroot "$init"
""";

    /// <summary>
    /// The exec agent (Volt's serial marker protocol, docs/vms.md): one request per line on ttyS1,
    /// <c>ID COMMAND…</c>; the command runs with the guest's <c>/bin/sh -c</c> (busybox's when it has none), its output
    /// and errors go back on the port, then <c>VOLT-EXIT ID CODE</c>.
    /// </summary>
    public const string Agent = """
B=/dev/.volt/busybox
P=/dev/ttyS1
: >/dev/.volt/agent.started
# Answer only once the guest's own init runs (PID 1's root is this root: switch_root has happened), bounded; the port is opened after it.
i=0; while ! [ /proc/1/root -ef / ] && [ $i -lt 3000 ]; do $B usleep 10000; i=$((i+1)); done
$B stty -F $P raw -echo 2>/dev/null
exec <$P >$P 2>&1
SH=/bin/sh; [ -x $SH ] || SH="$B sh"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
echo "VOLT-AGENT-READY"
while read -r id cmd; do
  [ -n "$id" ] || continue
  if [ "$id" = ping ]; then echo "VOLT-EXIT ping 0"; continue; fi
  $SH -c "$cmd" </dev/null 2>&1
  rc=$?
  echo ""
  echo "VOLT-EXIT $id $rc"
done
""";
}
