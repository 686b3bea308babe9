// SPDX-License-Identifier: GPL-2.0
/*
 * causal_abuse - someone else's tracing programs calling causal's kfuncs
 * wrongly (selftests/bpf/kfunc_abuse.bpf.c): each is loaded on its own, the
 * loaded ones attached, then TCP, UDP and a packet socket make them run.
 * Every program must be refused at load (a kfunc filter, Linux 6.8+) or
 * have every call it made return an error.  TAP, one case per program.
 *
 *   causal_abuse PORT    uses the ports PORT to PORT+3 on 127.0.0.1
 *
 * The kernel log is the other half of the verdict: no oops, no WARN.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include <causal/tcp_state.h>

#include "kfunc_abuse.skel.h"

#define MAX_PROGS 32

struct abuse {
	const char *name;
	struct kfunc_abuse *skel;	/* loaded and attached, or NULL */
	bool refused;
	bool why;			/* refused because of the kfunc it calls */
	int index;
};

/* The verifier's reason for the last refusal: the line before "processed". */
static char why[512];

static int keep_why(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char log[1 << 20];
	char *end, *start;

	vsnprintf(log, sizeof(log), fmt, ap);
	end = strstr(log, "\nprocessed ");
	if (!end)
		return 0;
	*end = 0;
	start = strrchr(log, '\n');
	snprintf(why, sizeof(why), "%.*s", (int)sizeof(why) - 1, start ? start + 1 : log);
	return 0;
}

/*
 * Refused for the kfunc call: by the filter ("calling kernel function X is
 * not allowed") or for an argument of the call ("arg#0 ...").
 */
static bool refused_for_kfunc(const char *reason)
{
	return strstr(reason, "is not allowed") || !strncmp(reason, "arg#", 4);
}

static void die(const char *what)
{
	fprintf(stderr, "causal_abuse: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bound(int type, int port)
{
	struct sockaddr_in a = loopback(port);
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	return fd;
}

/* Everything the programs wait for: listen, accept, TCP and UDP both ways. */
static void traffic(int port)
{
	struct sockaddr_in srv = loopback(port), peer = loopback(port + 3);
	int lfd, cfd, afd, ufd, vfd, pfd, i;
	char buf[64] = "abuse";

	/* a packet socket on every device: its packet_rcv gets shared skbs */
	pfd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (pfd < 0)
		die("packet socket");
	lfd = bound(SOCK_STREAM, port);
	if (listen(lfd, 4))
		die("listen");
	cfd = bound(SOCK_STREAM, port + 1);
	if (connect(cfd, (struct sockaddr *)&srv, sizeof(srv)))
		die("connect");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		die("accept");
	ufd = bound(SOCK_DGRAM, port + 2);
	vfd = bound(SOCK_DGRAM, port + 3);
	for (i = 0; i < 20; i++) {
		if (send(cfd, buf, sizeof(buf), 0) != sizeof(buf) ||
		    recv(afd, buf, sizeof(buf), MSG_WAITALL) != sizeof(buf) ||
		    send(afd, buf, sizeof(buf), 0) != sizeof(buf) ||
		    recv(cfd, buf, sizeof(buf), MSG_WAITALL) != sizeof(buf))
			die("tcp exchange");
		if (sendto(ufd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			   sizeof(peer)) != sizeof(buf) ||
		    recv(vfd, buf, sizeof(buf), 0) != sizeof(buf))
			die("udp exchange");
	}
	close(cfd);
	close(afd);
	close(lfd);
	close(ufd);
	close(vfd);
	close(pfd);
}

/* Load program @name of the object alone; NULL if the kernel refused it. */
static struct kfunc_abuse *load_one(const char *name, int port, int *err)
{
	struct kfunc_abuse *skel = kfunc_abuse__open();
	struct bpf_program *p;

	if (!skel)
		die("opening the object");
	skel->rodata->port_lo = port;
	skel->rodata->port_hi = port + 3;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), name));
	*err = kfunc_abuse__load(skel);
	if (*err) {
		kfunc_abuse__destroy(skel);
		return NULL;
	}
	*err = kfunc_abuse__attach(skel);
	if (*err) {
		kfunc_abuse__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	static const char *const order[] = {
		"send_unlocked", "send_udp_as_tcp", "recv_udp_as_tcp", "recv_listener",
		"connect_listener", "send_null", "udp_recv_tcp", "udp_send_shared",
		"udp_rx_null", "sent_unlocked", "accept_listener", "close_null",
		"udp_rx_shared", "read_unlocked", "send_vec_unlocked", "recv_vec_listener",
		"ops_write_small", "own_new_unlocked", "ops_parse_elsewhere",
		"send_own_unlocked", "sent_own_udp", "recv_own_listener", "read_own_null",
		"udp_send_wire_shared", "udp_recv_wire_tcp",
	};
	struct abuse a[MAX_PROGS] = {};
	struct kfunc_abuse *probe;
	struct bpf_program *p;
	int port, n = 0, i, k, err, bad = 0;

	if (argc != 2 || (port = atoi(argv[1])) <= 0 || port > 65532) {
		fprintf(stderr, "usage: causal_abuse PORT\n");
		return 2;
	}
	if (!getenv("CAUSAL_ABUSE_VERBOSE")) libbpf_set_print(keep_why);
	probe = kfunc_abuse__open();
	if (!probe)
		die("opening the object");
	bpf_object__for_each_program(p, probe->obj) {
		if (n == MAX_PROGS)
			break;
		a[n].name = strdup(bpf_program__name(p));
		a[n].index = -1;
		for (k = 0; k < (int)(sizeof(order) / sizeof(order[0])); k++)
			if (!strcmp(order[k], a[n].name))
				a[n].index = k;
		if (a[n].index < 0) {
			fprintf(stderr, "causal_abuse: program %s has no index\n", a[n].name);
			return 1;
		}
		n++;
	}
	kfunc_abuse__destroy(probe);

	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		why[0] = 0;
		a[i].skel = load_one(a[i].name, port, &err);
		a[i].refused = !a[i].skel;
		if (a[i].refused)
			printf("# %s: refused at load: %s (%s)\n", a[i].name, strerror(-err),
			       why[0] ? why : "no reason given");
		/* refused for what it calls, not for anything else */
		a[i].why = a[i].refused && refused_for_kfunc(why);
	}
	traffic(port);
	for (i = 0; i < n; i++) {
		unsigned long long calls, oks;

		if (a[i].refused) {
			if (a[i].why) {
				printf("ok %d %s: refused at load\n", i + 1, a[i].name);
			} else {
				bad++;
				printf("not ok %d %s: refused at load, but not for its kfunc\n",
				       i + 1, a[i].name);
			}
			continue;
		}
		calls = a[i].skel->bss->calls[a[i].index];
		oks = a[i].skel->bss->oks[a[i].index];
		printf("# %s: %llu calls, %llu returned 0\n", a[i].name, calls, oks);
		if (!calls || oks) {
			bad++;
			printf("not ok %d %s: %s\n", i + 1, a[i].name,
			       !calls ? "never ran" : "a call succeeded");
		} else {
			printf("ok %d %s: every call refused\n", i + 1, a[i].name);
		}
		kfunc_abuse__destroy(a[i].skel);
	}
	return bad ? 1 : 0;
}
