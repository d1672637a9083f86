/* A static test probe: tries one thing and prints what the kernel said (OK or the errno name). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *name(int e) {
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case ESRCH: return "ESRCH";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EFAULT: return "EFAULT";
	case ENOSYS: return "ENOSYS";
	case EBUSY: return "EBUSY";
	default: return strerror(e);
	}
}

static int r(long v) { return v < 0 ? errno : 0; }

int main(int argc, char **argv) {
	if (argc < 2) return 2;
	const char *m = argv[1];
	if (!strcmp(m, "syscalls")) {
		printf("mount=%s ", name(r(syscall(SYS_mount, "none", "/nonexistent-volt-probe", "tmpfs", 0, NULL))));
		printf("ptrace=%s ", name(r(syscall(SYS_ptrace, PTRACE_ATTACH, 0x7ffffff0, 0, 0))));
		printf("kexec_load=%s ", name(r(syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL))));
		/* Bad magic: EINVAL when the call is allowed (never reboots). */
		printf("reboot=%s\n", name(r(syscall(SYS_reboot, 0, 0, 0, NULL))));
		return 0;
	}
	if (!strcmp(m, "write") && argc == 3) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		printf("%s\n", name(fd < 0 ? errno : (write(fd, "x", 1) < 0 ? errno : 0)));
		return 0;
	}
	if (!strcmp(m, "read") && argc == 3) {
		char b[16];
		int fd = open(argv[2], O_RDONLY);
		printf("%s\n", name(fd < 0 ? errno : (read(fd, b, sizeof b) < 0 ? errno : 0)));
		return 0;
	}
	if (!strcmp(m, "connect") && argc == 3) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		printf("%s\n", name(s < 0 ? errno : r(connect(s, (struct sockaddr *)&a, sizeof a))));
		return 0;
	}
	if (!strcmp(m, "raw")) { printf("%s\n", name(r(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)))); return 0; }
	if (!strcmp(m, "udp")) { printf("%s\n", name(r(socket(AF_INET, SOCK_DGRAM, 0)))); return 0; }
	if (!strcmp(m, "caps")) {
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		while (f && fgets(line, sizeof line, f))
			if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapBnd:", 7) || !strncmp(line, "CapPrm:", 7) || !strncmp(line, "NoNewPrivs:", 11) || !strncmp(line, "Seccomp:", 8))
				fputs(line, stdout);
		return 0;
	}
	return 2;
}
