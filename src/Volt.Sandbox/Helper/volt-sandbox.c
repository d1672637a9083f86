/*
 * volt-sandbox: Volt's payload wrapper. Reads a plan Volt wrote (capabilities to keep, no_new_privs, a Landlock
 * ruleset, a seccomp BPF program), applies it to itself and execve's the real command, so the payload runs restricted
 * from its first instruction. It decides nothing: Volt (src/Volt.Sandbox/Planning) computed every mask for this
 * kernel's Landlock ABI. Built static (runs in any image, no libc needed there) by the Volt.Sandbox project.
 *
 *   volt-sandbox PLAN CMD [ARG...]   apply PLAN, then exec CMD (PATH search when CMD has no '/')
 *   volt-sandbox --ruleset-from PID:FD PLAN CMD [ARG...]
 *                                    the same with PLAN's Landlock ruleset built already: descriptor FD of process PID
 *                                    (voltd), taken with pidfd_getfd; PLAN's path and port lines are then skipped.
 *                                    When it cannot be had (no pidfd_getfd, no ptrace right over PID, not a Landlock
 *                                    ruleset) the rules are built from PLAN as without it.
 *   volt-sandbox --service LOG DIR [CGROUPFILE...] -- [pre IGNORE N ARGV(N)...]... -- [CMD [ARG...]]
 *                                    voltd's service start (see service() below)
 *   volt-sandbox --abi               print the Landlock ABI (0: not available)
 *   volt-sandbox --audit             print the kernel audit status (enabled=N pid=N) via netlink
 *
 * Exit codes of its own: 125 the sandbox could not be applied (what failed is on stderr), 126 CMD cannot run,
 * 127 CMD not found; otherwise CMD's.
 *
 * Plan lines (hex numbers): "nnp 1", "caps KEEPMASK", "landlock ABI FS NET SCOPED FLAGS",
 * "path ACCESS OPTIONAL PATH", "port ACCESS PORT", "bpf HEX", "end".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define SYS_ll_create 444
#define SYS_ll_add 445
#define SYS_ll_restrict 446
#define LL_RULE_PATH 1
#define LL_RULE_PORT 2
/* Rights a rule on a non-directory may carry: execute, write, read, truncate, ioctl_dev. */
#define LL_FILE_RIGHTS (0x1ULL | 0x2ULL | 0x4ULL | 0x4000ULL | 0x8000ULL)

struct ll_ruleset_attr { uint64_t fs, net, scoped; };
struct ll_path_attr { uint64_t access; int32_t fd; } __attribute__((packed));
struct ll_port_attr { uint64_t access; uint64_t port; };

static const char *step = "plan";

static void die(const char *what) {
	fprintf(stderr, "volt-sandbox: %s: %s: %s\n", step, what, strerror(errno));
	exit(125);
}

static void bad(const char *what) {
	fprintf(stderr, "volt-sandbox: %s: %s\n", step, what);
	exit(125);
}

static int hexval(char c) {
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int abi(void) {
	long v = syscall(SYS_ll_create, NULL, 0, 1U);
	return v < 0 ? 0 : (int)v;
}

static void caps(uint64_t keep) {
	step = "capabilities";
	/* One prctl per capability: a drop past the kernel's last one is EINVAL (a READ before each drop was 41 more). */
	for (int c = 0; c < 64; c++) {
		if (keep & (1ULL << c)) continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0 || errno == EPERM) continue;
		if (errno == EINVAL) break;
		die("PR_CAPBSET_DROP");
	}
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0) die("capget");
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].permitted &= k;
		d[i].effective = d[i].permitted;
		d[i].inheritable = d[i].permitted;
	}
	if (syscall(SYS_capset, &h, d) < 0) die("capset");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int c = 0; c < 64; c++)
		if (d[c / 32].permitted & (1U << (c % 32))) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0);
}

static int audit_status(void) {
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0) { printf("error=socket:%s\n", strerror(errno)); return 1; }
	struct { struct nlmsghdr h; struct audit_status s; } req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = NLMSG_LENGTH(0);
	req.h.nlmsg_type = AUDIT_GET;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 1;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) < 0) { printf("error=send:%s\n", strerror(errno)); return 1; }
	char buf[8192];
	for (int tries = 0; tries < 4; tries++) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) { printf("error=recv:%s\n", strerror(errno)); return 1; }
		for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
			if (m->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(m);
				if (e->error) { printf("error=%s\n", strerror(-e->error)); return 1; }
				continue;
			}
			if (m->nlmsg_type == AUDIT_GET) {
				struct audit_status *s = NLMSG_DATA(m);
				printf("enabled=%u pid=%u\n", s->enabled, s->pid);
				return 0;
			}
		}
	}
	printf("error=no answer\n");
	return 1;
}

#define SYS_pidfd_open_ 434
#define SYS_pidfd_getfd_ 438

/* The Landlock ruleset voltd built for this plan (-1: none; build it from the plan's lines). */
static int prebuilt = -1;

/* "PID:FD": a copy of voltd's ruleset descriptor, kept only if it is one (its number could name anything else). */
static void take_ruleset(const char *from) {
	if (prebuilt >= 0) return;
	char *end;
	long pid = strtol(from, &end, 10), fd;
	if (end == from || *end != ':') return;
	fd = strtol(end + 1, &end, 10);
	if (*end || pid <= 0 || fd < 0) return;
	int pidfd = (int)syscall(SYS_pidfd_open_, (int)pid, 0U);
	if (pidfd < 0) return;
	int got = (int)syscall(SYS_pidfd_getfd_, pidfd, (int)fd, 0U);
	close(pidfd);
	if (got < 0) return;
	char link[64], target[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", got);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n > 0) target[n] = 0;
	if (n > 0 && strcmp(target, "anon_inode:[landlock-ruleset]") == 0) prebuilt = got;
	else close(got);
}

/* argv[0] PLAN (or --ruleset-from PID:FD PLAN), argv[1] CMD, argv[2...] its arguments: applies PLAN and execs CMD;
 * returns only on failure. */
static int sandboxed(char **argv) {
	if (strcmp(argv[0], "--ruleset-from") == 0) {
		if (!argv[1] || !argv[2] || !argv[3]) { fprintf(stderr, "usage: volt-sandbox --ruleset-from PID:FD PLAN CMD [ARG...]\n"); return 125; }
		take_ruleset(argv[1]);
		argv += 2;
	}
	FILE *plan = fopen(argv[0], "re");
	if (!plan) die(argv[0]);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int nnp = 0, have_caps = 0, ruleset = -1, ll_abi = 0;
	uint64_t keep = 0, flags = 0;
	struct sock_filter *filter = NULL;
	unsigned short filter_len = 0;
	while ((len = getline(&line, &cap, plan)) > 0) {
		if (line[len - 1] == '\n') line[--len] = 0;
		unsigned long long a = 0, b = 0, c = 0, d = 0;
		/* Dispatched on the line's first word: a plan is hundreds of path lines, and trying each format with
		 * sscanf in turn was three sscanf calls per line (~0.5 ms of a service start). */
		if (strncmp(line, "path ", 5) == 0) {
			step = "landlock";
			if (ruleset < 0) bad("path before landlock");
			if (ruleset == prebuilt) continue; /* in the ruleset voltd built */
			char *q = line + 5, *end;
			a = strtoull(q, &end, 16);
			if (end == q || *end != ' ') bad(line);
			q = end + 1;
			b = strtoull(q, &end, 16);
			if (end == q || *end != ' ' || !end[1]) bad(line);
			const char *p = end + 1;
			int fd = open(p, O_PATH | O_CLOEXEC);
			if (fd < 0) {
				if (b && errno == ENOENT) continue;
				fprintf(stderr, "volt-sandbox: landlock: %s: %s\n", p, strerror(errno));
				exit(125);
			}
			/* The rule as planned; a file refuses directory rights (EINVAL) and gets the file rights instead: one
			 * syscall per directory, two per file, where an fstat first made it two for each. The planner gives
			 * the files it listed their file rights already, so theirs succeeds at once too. */
			struct ll_path_attr r = { a, fd };
			int added = r.access ? (int)syscall(SYS_ll_add, ruleset, LL_RULE_PATH, &r, 0U) : 0;
			if (added < 0 && errno == EINVAL && (a & ~LL_FILE_RIGHTS)) {
				struct stat st;
				if (fstat(fd, &st) < 0) die(p);
				r.access = a & LL_FILE_RIGHTS;
				added = S_ISDIR(st.st_mode) ? -1 : r.access ? (int)syscall(SYS_ll_add, ruleset, LL_RULE_PATH, &r, 0U) : 0;
				if (added < 0 && S_ISDIR(st.st_mode)) errno = EINVAL;
			}
			if (added < 0) {
				fprintf(stderr, "volt-sandbox: landlock: rule for %s: %s\n", p, strerror(errno));
				exit(125);
			}
			/* O_CLOEXEC: the exec closes them; a plan of thousands of paths closes as it goes (RLIMIT_NOFILE). */
			if (fd >= 512) close(fd);
		} else if (strncmp(line, "nnp ", 4) == 0) nnp = line[4] == '1';
		else if (strncmp(line, "caps ", 5) == 0 && sscanf(line, "caps %llx", &a) == 1) { have_caps = 1; keep = a; }
		else if (strncmp(line, "landlock ", 9) == 0 && sscanf(line, "landlock %d %llx %llx %llx %llx", &ll_abi, &a, &b, &c, &d) == 5) {
			step = "landlock";
			int have = abi();
			if (have < ll_abi) { errno = EOPNOTSUPP; die("the kernel's Landlock ABI is older than the plan's"); }
			struct ll_ruleset_attr attr = { a, b, c };
			size_t size = ll_abi >= 6 ? 24 : ll_abi >= 4 ? 16 : 8;
			ruleset = prebuilt >= 0 ? prebuilt : (int)syscall(SYS_ll_create, &attr, size, 0U);
			if (ruleset < 0) die("landlock_create_ruleset");
			flags = d;
		} else if (strncmp(line, "port ", 5) == 0 && sscanf(line, "port %llx %llx", &a, &b) == 2) {
			step = "landlock";
			if (ruleset < 0) bad("port before landlock");
			if (ruleset == prebuilt) continue;
			struct ll_port_attr r = { a, b };
			if (syscall(SYS_ll_add, ruleset, LL_RULE_PORT, &r, 0U) < 0) die("landlock_add_rule (port)");
		} else if (strncmp(line, "bpf ", 4) == 0) {
			step = "seccomp";
			size_t hex = (size_t)len - 4;
			if (hex % 16 != 0 || hex / 16 > 4096) bad("malformed BPF program");
			filter_len = (unsigned short)(hex / 16);
			filter = calloc(filter_len, sizeof *filter);
			unsigned char *out = (unsigned char *)filter;
			for (size_t i = 0; i < hex / 2; i++) {
				int hi = hexval(line[4 + 2 * i]), lo = hexval(line[5 + 2 * i]);
				if (hi < 0 || lo < 0) bad("malformed BPF program");
				out[i] = (unsigned char)(hi << 4 | lo);
			}
		} else if (strcmp(line, "end") == 0) break;
		else if (len > 0 && line[0] != '#' && strncmp(line, "volt-sandbox-plan", 17) != 0) { step = "plan"; bad(line); }
	}
	fclose(plan);

	if (have_caps) caps(keep);
	step = "no_new_privs";
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("prctl");
	if (ruleset >= 0) {
		step = "landlock";
		if (syscall(SYS_ll_restrict, ruleset, (unsigned)flags) < 0) die("landlock_restrict_self");
		close(ruleset);
	}
	if (filter) {
		step = "seccomp";
		struct sock_fprog prog = { filter_len, filter };
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) die("PR_SET_SECCOMP");
	}
	if (strchr(argv[1], '/')) execv(argv[1], argv + 1);
	else execvp(argv[1], argv + 1);
	int e = errno;
	fprintf(stderr, "volt-sandbox: %s: %s\n", argv[1], strerror(e));
	return e == ENOENT ? 127 : 126;
}

/* write(2) until done; false when the file refuses (a full disk): the stamper goes on reading either way. */
static int write_all(int fd, const char *p, size_t n) {
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ " for now (UTC); returns its length. */
static int stamp_now(char *out, size_t size) {
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	return snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

/* The line stamper: each line read from IN appended to OUT behind the time it was read, until end of file (every
 * writer gone); a last line without its newline gets one, and so does the first 1 MiB of a longer line. */
static void stamp_lines(int in, int out) {
	size_t max = 1 << 20, cap = 1 << 16, have = 0, res_cap = 0;
	char *buf = malloc(cap + 1), *res = NULL; /* + 1: room for the newline a cut or a last line gets */
	if (!buf) _exit(125);
	for (;;) {
		if (have == cap && cap < max) {
			char *b = realloc(buf, cap * 2 + 1);
			if (!b) _exit(125);
			buf = b;
			cap *= 2;
		}
		int eof = 0;
		if (have == cap) buf[have++] = '\n';
		else {
			ssize_t n = read(in, buf + have, cap - have);
			if (n < 0 && errno == EINTR) continue;
			if (n > 0) have += (size_t)n;
			else {
				eof = 1;
				if (have > 0 && buf[have - 1] != '\n') buf[have++] = '\n';
			}
		}
		size_t lines = 0;
		for (size_t i = 0; i < have; i++) lines += buf[i] == '\n';
		if (lines > 0) {
			char stamp[48];
			size_t sl = (size_t)stamp_now(stamp, sizeof stamp), need = have + lines * sl, o = 0, start = 0;
			if (need > res_cap) {
				char *r = realloc(res, need);
				if (!r) _exit(125);
				res = r;
				res_cap = need;
			}
			for (size_t i = 0; i < have; i++) {
				if (buf[i] != '\n') continue;
				memcpy(res + o, stamp, sl);
				o += sl;
				memcpy(res + o, buf + start, i + 1 - start);
				o += i + 1 - start;
				start = i + 1;
			}
			write_all(out, res, o);
			memmove(buf, buf + start, have - start);
			have -= start;
		}
		if (eof) _exit(0);
	}
}

static void fail(int code, const char *what, const char *arg) {
	fprintf(stderr, "volt-sandbox: %s %s: %s\n", what, arg, strerror(errno));
	exit(code);
}

/*
 * --service LOG DIR [CGROUPFILE...] -- [pre IGNORE N ARGV(N)...]... -- [CMD [ARG...]]: how voltd starts a unit's
 * process (src/Volt.Workloads/Services/ServiceLauncher.cs), in this one process instead of setsid + a bash wrapper:
 *  1. a session of its own (voltd's restart or hang-up never reaches the service);
 *  2. the line stamper, forked before the cgroup join (a control-group kill leaves it to write the last lines): it
 *     reads the pipe that becomes the service's stdout and stderr and appends each line to LOG as
 *     "YYYY-MM-DDTHH:MM:SS.uuuuuuZ LINE" (UTC), until every writer is gone;
 *  3. joins the cgroup: "0" into a v1 ".../tasks" file, its PID into any other (cgroup.procs);
 *  4. enters DIR unless it is empty (exit 200 when it cannot);
 *  5. runs each ExecStartPre (stdin /dev/null, output to the log; a failure that is not ignored, IGNORE 0, is logged
 *     and is the exit code; a signal is 128+N);
 *  6. says "ok" on stdout (voltd's handshake: everything before ExecStart succeeded) and execs CMD with stdout and
 *     stderr to the log: the PID voltd started is the main process. A CMD that is this helper with a plan is applied
 *     here, without a second exec. No CMD (ExecStop's commands): exit 0.
 * Exit 125: the session, the log, the pipe, the stamper or the cgroup join failed (said on stderr: the log, once the
 * pipe is there).
 */
static int service(int argc, char **argv, const char *self) {
	if (argc < 2) { fprintf(stderr, "usage: volt-sandbox --service LOG DIR [CGROUPFILE...] -- [pre IGNORE N ARGV...]... -- [CMD...]\n"); return 125; }
	const char *log = argv[0], *dir = argv[1];
	int i = 2;
	/* voltd keeps the ruleset it names for this start until the "ok": taken now, before anything else. */
	for (int k = i; k + 2 < argc; k++)
		if (strcmp(argv[k], self) == 0 && strcmp(argv[k + 1], "--ruleset-from") == 0) { take_ruleset(argv[k + 2]); break; }
	if (setsid() < 0 && getsid(0) != getpid()) fail(125, "setsid", "");
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) fail(125, "open", "/dev/null");
	int out = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (out < 0) fail(125, "open", log);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) fail(125, "pipe", "");
	pid_t stamper = fork();
	if (stamper < 0) fail(125, "fork", "the line stamper");
	if (stamper == 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		close(p[1]);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		stamp_lines(p[0], out);
	}
	close(p[0]);
	close(out);
	int w = p[1];
	if (dup2(w, 2) < 0 || dup2(null, 0) < 0) fail(125, "dup2", "");
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		size_t len = strlen(argv[i]);
		int fd = open(argv[i], O_WRONLY | O_CLOEXEC);
		char pid[24];
		int n = len >= 6 && strcmp(argv[i] + len - 6, "/tasks") == 0 ? snprintf(pid, sizeof pid, "0\n") : snprintf(pid, sizeof pid, "%d\n", (int)getpid());
		if (fd < 0 || write(fd, pid, (size_t)n) != n) fail(125, "joining", argv[i]);
		close(fd);
	}
	if (i++ >= argc) { fprintf(stderr, "volt-sandbox: --service: no -- after the cgroup files\n"); return 125; }
	if (dir[0] && chdir(dir) < 0) return 200;
	while (i < argc && strcmp(argv[i], "pre") == 0) {
		if (i + 3 > argc) { fprintf(stderr, "volt-sandbox: --service: a pre without its command\n"); return 125; }
		int ignore = strcmp(argv[i + 1], "0") != 0, n = atoi(argv[i + 2]);
		char **cmd = argv + i + 3;
		if (n < 1 || i + 3 + n > argc) { fprintf(stderr, "volt-sandbox: --service: a pre of %s words\n", argv[i + 2]); return 125; }
		i += 3 + n;
		pid_t c = fork();
		if (c < 0) fail(125, "fork", cmd[0]);
		if (c == 0) {
			cmd[n] = NULL; /* this process's copy of the argument list */
			dup2(w, 1);
			dup2(w, 2);
			execvp(cmd[0], cmd);
			int e = errno;
			fprintf(stderr, "volt-sandbox: %s: %s\n", cmd[0], strerror(e));
			_exit(e == ENOENT ? 127 : 126);
		}
		int st, rc;
		while (waitpid(c, &st, 0) < 0)
			if (errno != EINTR) fail(125, "waitpid", cmd[0]);
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (rc != 0 && !ignore) {
			dprintf(w, "volt: %s failed with exit code %d\n", cmd[0], rc);
			return rc;
		}
	}
	if (i >= argc || strcmp(argv[i], "--") != 0) { fprintf(stderr, "volt-sandbox: --service: no -- after the pre commands\n"); return 125; }
	char **cmd = argv + i + 1;
	if (!cmd[0]) return 0;
	if (!write_all(1, "ok\n", 3)) return 125;
	if (dup2(w, 1) < 0 || dup2(w, 2) < 0) fail(125, "dup2", "");
	close(w);
	close(null);
	if (strcmp(cmd[0], self) == 0 && cmd[1] && cmd[2]) return sandboxed(cmd + 1);
	execvp(cmd[0], cmd);
	int e = errno;
	fprintf(stderr, "volt-sandbox: %s: %s\n", cmd[0], strerror(e));
	return e == ENOENT ? 127 : 126;
}

int main(int argc, char **argv) {
	if (argc == 2 && strcmp(argv[1], "--abi") == 0) { printf("%d\n", abi()); return 0; }
	if (argc == 2 && strcmp(argv[1], "--audit") == 0) return audit_status();
	if (argc >= 2 && strcmp(argv[1], "--service") == 0) return service(argc - 2, argv + 2, argv[0]);
	if (argc < 3) { fprintf(stderr, "usage: volt-sandbox PLAN CMD [ARG...]\n"); return 125; }
	return sandboxed(argv + 1);
}
