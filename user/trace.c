// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl trace: record this node's events to a log (Documentation/log.rst)
 * for the window of an incident, the tracing attached only for that window.
 *
 * If causal's programs are not loaded, trace attaches them for as long as
 * it runs: the links belong to the process, so they go when it
 * ends, whatever ends it.  Events are kept by process (-p, -c: the command
 * and its descendants), cgroup (--cgroup: the cgroup and those below it)
 * and port (--port: local or remote).
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "causalctl.h"
#include "cgname.h"
#include "events.h"
#include "num.h"
#include "nl.h"
#include "otlp_live.h"
#include "probe.h"

#define TRACE_CGROUPS_MAX 4096
#define TRACE_PROBES_MAX 16

struct trace {
	/* what to keep */
	pid_t pid;		/* -p: this process; -c: the command's */
	bool tree;		/* -c: and its descendants */
	const char *command;	/* -c */
	const char *cgroup;	/* --cgroup's directory */
	char cgroup_dir[PATH_MAX];
	uint64_t cgroups[TRACE_CGROUPS_MAX];
	int ncgroups;
	time_t cgroups_scanned;
	long port;
	/* pids seen: kept or not (-c) */
	pid_t seen[1024];
	bool seen_kept[1024];

	/* --probe */
	const char *probe_specs[TRACE_PROBES_MAX];
	struct trace_probe probes[TRACE_PROBES_MAX];
	int nprobes;

	/* how */
	const char *path;	/* -o, or defpath */
	const char *label;
	long duration;
	char defpath[300];
	bool attached_here;	/* the programs were attached for the trace */

	/* while it runs */
	pid_t child;		/* -c's command, until it exits */
	int status;		/* its exit status */
	FILE *out;
	struct json json;
	uint64_t events, lost, dropped;
	uint64_t probes_dropped;	/* the node's counter at the start, then the trace's */

	/* --otlp: the events as spans, to a collector */
	struct otlp_live_opts otlp;
	struct otlp_live *live;
};

/* One more cgroup id for the filter; a full list stops the walk. */
static bool keep_cgroup(uint64_t id, const char *path, void *arg)
{
	struct trace *t = arg;

	(void)path;
	if (t->ncgroups == TRACE_CGROUPS_MAX)
		return true;
	t->cgroups[t->ncgroups++] = id;
	return false;
}

/* The cgroup ids (inode numbers) of --cgroup's directory and those below it. */
static void scan_cgroups(struct trace *t)
{
	t->ncgroups = 0;
	cg_each(t->cgroup, keep_cgroup, t);
}

static bool cgroup_kept(struct trace *t, uint64_t id)
{
	int i;

	for (i = 0; i < t->ncgroups; i++)
		if (t->cgroups[i] == id)
			return true;
	/* A cgroup made since the last scan: look again, once a second at most. */
	if (time(NULL) != t->cgroups_scanned) {
		t->cgroups_scanned = time(NULL);
		scan_cgroups(t);
		for (i = 0; i < t->ncgroups; i++)
			if (t->cgroups[i] == id)
				return true;
	}
	return false;
}

/* The parent of process @pid, from /proc, or 0. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
			ppid = 0;
	}
	fclose(f);
	return ppid;
}

/* Is @pid the command's process or one of its descendants?  Cached. */
static bool pid_in_tree(struct trace *t, pid_t pid)
{
	unsigned int slot = (unsigned int)pid % 1024;
	pid_t p = pid;
	bool kept = false;
	int hops;

	if (t->seen[slot] == pid)
		return t->seen_kept[slot];
	for (hops = 0; p > 1 && hops < 64; hops++, p = parent_of(p)) {
		if (p == t->pid) {
			kept = true;
			break;
		}
	}
	t->seen[slot] = pid;
	t->seen_kept[slot] = kept;
	return kept;
}

static bool kept(struct trace *t, const struct event *e)
{
	const struct log_event *ev = &e->ev;

	/* causalctl's own (the posts of --otlp) are not the operator's */
	if ((ev->has & HAS_PID) && ev->pid == (uint32_t)getpid())
		return false;
	if (t->pid && (!(ev->has & HAS_PID) ||
		       (t->tree ? !pid_in_tree(t, ev->pid) : ev->pid != (uint32_t)t->pid)))
		return false;
	if (t->cgroup && (!(ev->has & HAS_CGROUP) || !cgroup_kept(t, ev->cgroup)))
		return false;
	if (t->port >= 0 && (!e->has_addr || (e->sport != t->port && e->dport != t->port)))
		return false;
	return true;
}

/* The probe point a probe event is of: one of ours, or NULL. */
static struct trace_probe *probe_of(struct trace *t, uint32_t id)
{
	int i;

	for (i = 0; i < t->nprobes; i++)
		if (t->probes[i].id == id)
			return &t->probes[i];
	return NULL;
}

static int on_event(const struct event *e, void *arg)
{
	struct trace *t = arg;
	struct trace_probe *probe = NULL;

	if (e->has_probe) {
		probe = probe_of(t, e->probe_id);
		if (!probe)
			return 0;	/* another tracer's */
	}
	if (!kept(t, e))
		return 0;
	event_json(&t->json, e, probe ? probe->spec : NULL);
	if (t->live)
		otlp_live_event(t->live, e, probe ? probe->spec : NULL);
	if (probe)
		probe->hits++;
	t->events++;
	return ferror(t->out) ? -EIO : 0;
}

static void header(struct trace *t, const struct node_status *s, const char *label)
{
	char host[256] = "", buf[32];
	struct utsname u;
	int i;
	struct json *j = &t->json;

	if (label)
		snprintf(host, sizeof(host), "%s", label);
	else if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "unknown");
	uname(&u);
	json_open(j, '{');
	json_key(j, "causal_log");
	json_u64(j, 1);
	json_key(j, "host");
	json_string(j, host);
	snprintf(buf, sizeof(buf), "%016" PRIx64, s->node_id);
	json_key(j, "node");
	json_string(j, buf);
	json_key(j, "clock");
	json_string(j, clock_name(s->clock));
	json_key(j, "scope");
	json_string(j, scope_name(s->scope));
	json_key(j, "kernel");
	json_string(j, u.release);
	json_key(j, "start");
	json_u64(j, wall_ns());
	json_key(j, "filter");
	json_open(j, '{');
	if (t->pid && !t->tree) {
		json_key(j, "pid");
		json_u64(j, t->pid);
	}
	if (t->command) {
		json_key(j, "command");
		json_string(j, t->command);
	}
	if (t->cgroup) {
		json_key(j, "cgroup");
		json_string(j, t->cgroup);
	}
	if (t->port >= 0) {
		json_key(j, "port");
		json_u64(j, t->port);
	}
	json_close(j, '}');
	if (t->nprobes) {
		json_key(j, "probes");
		json_open(j, '[');
		for (i = 0; i < t->nprobes; i++)
			json_string(j, t->probes[i].spec);
		json_close(j, ']');
	}
	json_close(j, '}');
	json_end(j);
}

static void trailer(struct trace *t)
{
	struct json *j = &t->json;
	int i;

	json_open(j, '{');
	json_key(j, "end");
	json_u64(j, wall_ns());
	json_key(j, "events");
	json_u64(j, t->events);
	json_key(j, "lost");
	json_u64(j, t->lost);
	if (t->nprobes) {
		json_key(j, "probe_hits");
		json_open(j, '{');
		for (i = 0; i < t->nprobes; i++) {
			json_key(j, t->probes[i].spec);
			json_u64(j, t->probes[i].hits);
		}
		json_close(j, '}');
		json_key(j, "probes_dropped");
		json_u64(j, t->probes_dropped);
	}
	json_close(j, '}');
	json_end(j);
}

/* What the probes recorded, and what the node dropped meanwhile. */
static void probes_report(const struct trace *t)
{
	int i;

	for (i = 0; i < t->nprobes; i++)
		fprintf(stderr, "causalctl: trace: --probe %s: %" PRIu64 " hits\n",
			t->probes[i].spec, t->probes[i].hits);
	if (t->probes_dropped)
		fprintf(stderr, "causalctl: trace: %" PRIu64 " probe hits of this node dropped "
			"(more than its rings hold per tick: the module parameter probe_buffer)\n",
			t->probes_dropped);
}

/* Start "sh -c @cmd", held until @go is written to: the trace listens first. */
static pid_t start_command(const char *cmd, int *go)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		close(fds[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

/* The live count on stderr: in place on a terminal, every 10 s otherwise. */
static void progress(const struct trace *t, bool last)
{
	static time_t shown;
	time_t now = time(NULL);
	bool tty = isatty(STDERR_FILENO);

	if (!last && now - shown < (tty ? 1 : 10))
		return;
	shown = now;
	if (tty)
		fprintf(stderr, "\r%" PRIu64 " events, %" PRIu64 " lost%s", t->events, t->lost,
			last ? "\n" : "");
	else if (!last)
		fprintf(stderr, "causalctl: trace: %" PRIu64 " events, %" PRIu64 " lost\n",
			t->events, t->lost);
}

/* The command line into @t: 0, or the exit status after saying why not. */
static int parse_args(struct trace *t, int argc, char **argv)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "command", required_argument, NULL, 'c' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "port", required_argument, NULL, 'P' },
		{ "duration", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "probe", required_argument, NULL, 'k' },
		OTLP_LIVE_OPTIONS,
		{}
	};
	uint64_t v;
	int opt, err;

	t->port = -1;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "o:p:c:d:", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			t->path = optarg;
			break;
		case 'p':
			if (arg_u64("trace", "pid", optarg, 1, INT32_MAX, &v))
				return EXIT_USAGE;
			t->pid = v;
			break;
		case 'c':
			t->command = optarg;
			break;
		case 'g':
			t->cgroup = optarg;
			break;
		case 'P':
			if (arg_u64("trace", "port", optarg, 1, 65535, &v))
				return EXIT_USAGE;
			t->port = v;
			break;
		case 'd':
			if (arg_u64("trace", "duration", optarg, 1, UINT32_MAX, &v))
				return EXIT_USAGE;
			t->duration = v;
			break;
		case 'l':
			t->label = optarg;
			break;
		case 'k':
			if (t->nprobes == TRACE_PROBES_MAX)
				return usage_error("trace", "at most %d probes", TRACE_PROBES_MAX);
			t->probe_specs[t->nprobes++] = optarg;
			break;
		default:
			err = otlp_live_opt(&t->otlp, "trace", opt, optarg);
			if (err)
				return err == 1 ? usage_error("trace", "invalid option") : err;
		}
	}
	if (optind < argc)
		return usage_error("trace", "unexpected argument: %s", argv[optind]);
	err = otlp_live_check(&t->otlp, "trace");
	if (err)
		return err;
	if (t->pid && t->command)
		return usage_error("trace", "-p and -c exclude each other");
	if (t->cgroup) {
		const char *why;

		if (cg_resolve(t->cgroup, t->cgroup_dir, sizeof(t->cgroup_dir), &why)) {
			fprintf(stderr, "causalctl: trace: cgroup %s: %s\n", t->cgroup, why);
			return EXIT_FAIL;
		}
		if (access(t->cgroup_dir, F_OK)) {
			fprintf(stderr, "causalctl: trace: cgroup %s: %s\n", t->cgroup_dir,
				strerror(errno));
			return EXIT_FAIL;
		}
		t->cgroup = t->cgroup_dir;
	}
	if (t->cgroup)
		scan_cgroups(t);
	if (!t->path) {
		char host[256];

		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "node");
		snprintf(t->defpath, sizeof(t->defpath), "causal-%s.log", t->label ?: host);
		t->path = t->defpath;
	}
	return 0;
}

/* The probe points, all loaded, then all linked: the window starts with all. */
static int probes_start(struct trace *t)
{
	int i;

	for (i = 0; i < t->nprobes; i++) {
		/* numbers of this tracer's own: another's probes are not ours */
		if (trace_probe_load(&t->probes[i], t->probe_specs[i],
				     (uint32_t)getpid() << 8 | i)) {
			while (i--)
				trace_probe_detach(&t->probes[i]);
			return -1;
		}
	}
	for (i = 0; i < t->nprobes; i++) {
		if (trace_probe_link(&t->probes[i])) {
			for (i = 0; i < t->nprobes; i++)
				trace_probe_detach(&t->probes[i]);
			return -1;
		}
	}
	return 0;
}

static void probes_stop(struct trace *t)
{
	int i;

	for (i = 0; i < t->nprobes; i++)
		trace_probe_detach(&t->probes[i]);
}

/*
 * Open the log, start -c's command (held until the header is written),
 * write the header and say what is traced: 0, or -1 after saying why not.
 */
static int start(struct trace *t, const struct node_status *s)
{
	int go = -1;

	t->out = strcmp(t->path, "-") ? fopen(t->path, "w") : stdout;
	if (!t->out) {
		fprintf(stderr, "causalctl: trace: %s: %s\n", t->path, strerror(errno));
		return -1;
	}
	json_init(&t->json, t->out, false);
	events_catch_signals();
	if (t->command) {
		t->child = start_command(t->command, &go);
		if (t->child < 0) {
			fprintf(stderr, "causalctl: trace: cannot start %s: %s\n", t->command,
				strerror(errno));
			t->child = 0;
			return -1;
		}
		t->pid = t->child;
		t->tree = true;
	}
	header(t, s, t->label);
	t->dropped = events_dropped();
	t->probes_dropped = node_counter(CAUSAL_A_STATS_PROBES_DROPPED);
	fprintf(stderr, "causalctl: trace: node %016" PRIx64 " (%s, %s scope) to %s%s; %s\n",
		s->node_id, clock_name(s->clock), scope_name(s->scope), t->path,
		t->attached_here ? ", programs attached for the trace" : "",
		t->command ? "until the command exits" :
		t->duration ? "for the duration" : "Ctrl-C stops");
	if (t->duration)
		alarm(t->duration);
	if (go >= 0) {
		if (write(go, "g", 1) != 1)
			fprintf(stderr, "causalctl: trace: starting the command: %s\n",
				strerror(errno));
		close(go);
	}
	return 0;
}

/* Events into the log until a signal, the duration or the command's end. */
static int record(struct trace *t, struct event_source *src)
{
	int n;

	for (;;) {
		struct pollfd p = { .fd = src->fd, .events = POLLIN };

		if (events_stop)
			return 0;
		if (t->child && waitpid(t->child, &t->status, WNOHANG) == t->child) {
			t->child = 0;
			/* what it made before exiting is still queued: take it */
			while (poll(&p, 1, 200) > 0 && event_source_read(src, on_event, t) >= 0)
				;
			return 0;
		}
		n = poll(&p, 1, t->child ? 100 : 1000);
		if (n < 0)
			n = -errno;
		else if (n > 0)
			n = event_source_read(src, on_event, t);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "\ncausalctl: trace: %s\n", strerror(-n));
			return -1;
		}
		if (src->overruns) {
			t->lost += report_lost("trace", &t->json, &t->dropped);
			src->overruns = 0;
		}
		if (t->live)
			otlp_live_tick(t->live);
		progress(t, false);
	}
}

/*
 * What happened until now is in the log: once the probes are gone, the
 * module delivers the hits it still holds, then every event queued for us
 * is read (or counted lost), and nothing after.  Then the trailer.
 */
static int finish(struct trace *t, struct event_source *src)
{
	int n;

	probes_stop(t);
	n = event_source_finish(src, t->nprobes, on_event, t);
	if (n < 0) {
		fprintf(stderr, "\ncausalctl: trace: %s\n", strerror(-n));
		return -1;
	}
	/* what the node dropped since the last report, overrun or not */
	if (src->overruns || events_dropped() > t->dropped)
		t->lost += report_lost("trace", &t->json, &t->dropped);
	if (t->nprobes)
		t->probes_dropped = node_counter(CAUSAL_A_STATS_PROBES_DROPPED) -
				    t->probes_dropped;
	trailer(t);
	progress(t, true);
	fprintf(stderr, "causalctl: trace: wrote %" PRIu64 " events to %s (%" PRIu64 " lost)\n",
		t->events, t->path, t->lost);
	probes_report(t);
	if (t->command && WIFEXITED(t->status) && WEXITSTATUS(t->status))
		fprintf(stderr, "causalctl: trace: the command exited with status %d\n",
			WEXITSTATUS(t->status));
	if (t->live) {
		n = otlp_live_stop(t->live);
		t->live = NULL;
		if (n)
			return -1;
	}
	return 0;
}

int trace_main(int argc, char **argv)
{
	struct trace *t = calloc(1, sizeof(*t));
	struct attachment a = { .cg_fd = -1 };
	struct event_source src;
	struct node_status s;
	int n, ret = EXIT_FAIL;
	struct cnl nl;

	if (!t)
		return EXIT_FAIL;
	ret = parse_args(t, argc, argv);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	cnl_connect_or_die(&nl);
	n = node_status_get(&nl, &s);
	cnl_close(&nl);
	if (n < 0)
		goto out;
	/* Listen before attaching: no event of the window is missed. */
	if (event_source_open(&src, "trace"))
		goto out;
	if (!attach_pinned() && !attach_loaded()) {
		if (attachment_open(&a, t->cgroup ?: CGROUP_ROOT, "trace"))
			goto out_src;
		t->attached_here = true;
	}
	if (probes_start(t))
		goto out_detach;
	if (t->otlp.url) {
		t->live = otlp_live_start(&t->otlp, "trace", &s, t->label);
		if (!t->live)
			goto out_probes;
	}
	if (start(t, &s))
		goto out_file;
	if (!record(t, &src) && !finish(t, &src))
		ret = 0;
out_file:
	if (t->child) {
		kill(t->child, SIGTERM);
		waitpid(t->child, NULL, 0);
	}
	if (t->out && t->out != stdout && fclose(t->out) && !ret) {
		fprintf(stderr, "causalctl: trace: %s: %s\n", t->path, strerror(errno));
		ret = EXIT_FAIL;
	}
	if (t->live)
		otlp_live_stop(t->live);
out_probes:
	probes_stop(t);
out_detach:
	if (t->attached_here)
		attachment_close(&a);
out_src:
	event_source_close(&src);
out:
	free(t);
	return ret;
}
