// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the causal generic netlink family through libnl-genl: resolve
 * the family, send one request, collect replies and the kernel's extended
 * ACK (libnl 3.7 does not parse it, so this file does).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <uapi/linux/causal.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct transact {
	struct cnl *nl;
	int maxattr;
	cnl_reply_fn fn;
	void *arg;
	int status;	/* 1 while waiting, then 0 or -errno */
};

/**
 * cnl_open() - connect to the causal family
 * @nl: connection to set up
 *
 * Return: 0; -ENOENT when the family is not registered (module not loaded);
 * another -errno on other failures.
 */
int cnl_open(struct cnl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	err = genl_connect(nl->sk);
	if (err < 0) {
		err = -nl_syserr2nlerr(err);
		goto fail;
	}
	nl_socket_set_buffer_size(nl->sk, 32768, 32768);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, CAUSAL_FAMILY_NAME);
	if (nl->family < 0) {
		err = nl->family == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
		goto fail;
	}
	return 0;

fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return err;
}

void cnl_close(struct cnl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/**
 * cnl_msg() - a new request of the causal family
 * @nl: connection
 * @cmd: CAUSAL_CMD_*
 * @flags: extra netlink flags (NLM_F_DUMP)
 *
 * Return: the message, or NULL when out of memory.
 */
struct nl_msg *cnl_msg(struct cnl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, CAUSAL_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int on_valid(struct nl_msg *msg, void *data)
{
	struct transact *t = data;
	struct nlattr *tb[t->maxattr + 1];
	int err;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		t->nl->dump_intr = true;
	if (!t->fn)
		return NL_OK;
	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, t->maxattr, NULL);
	if (err < 0) {
		t->status = -EPROTO;
		return NL_STOP;
	}
	t->nl->attrs = genlmsg_attrdata(nlmsg_data(nlmsg_hdr(msg)), 0);
	t->nl->attrlen = genlmsg_attrlen(nlmsg_data(nlmsg_hdr(msg)), 0);
	err = t->fn(tb, t->arg);
	if (err < 0) {
		t->status = err;
		return NL_STOP;
	}
	return NL_OK;
}

/* The TLVs after the error code and the (possibly capped) request. */
static void parse_extack(struct cnl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	nl->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *data)
{
	struct transact *t = data;

	(void)who;
	parse_extack(t->nl, e);
	t->status = e->error ? e->error : 0;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *data)
{
	struct transact *t = data;

	(void)msg;
	if (t->status > 0)
		t->status = 0;
	return NL_STOP;
}

/**
 * cnl_transact() - send a request and collect its replies
 * @nl: connection
 * @msg: request from cnl_msg(); always freed
 * @maxattr: highest attribute of the reply's attribute set
 * @fn: called for each reply message, or NULL
 * @arg: passed to @fn
 *
 * Return: 0, or -errno from the kernel (its message in @nl->extack) or @fn.
 */
int cnl_transact(struct cnl *nl, struct nl_msg *msg, int maxattr,
		 cnl_reply_fn fn, void *arg)
{
	struct transact t = { .nl = nl, .maxattr = maxattr, .fn = fn,
			      .arg = arg, .status = 1 };
	struct nl_cb *cb;
	int err;

	nl->extack[0] = '\0';
	nl->dump_intr = false;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &t);

	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		t.status = -nl_syserr2nlerr(err);
		goto out;
	}
	while (t.status > 0) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && t.status > 0)
			t.status = -EIO;
	}
out:
	nl_cb_put(cb);
	return t.status;
}

/**
 * cnl_perror() - report a failed request on stderr, with the kernel's reason
 * @nl: connection
 * @what: what was being done
 * @err: -errno
 */
void cnl_perror(const struct cnl *nl, const char *what, int err)
{
	if (nl->extack[0])
		fprintf(stderr, "causalctl: %s: %s (%s)\n", what, strerror(-err),
			nl->extack);
	else
		fprintf(stderr, "causalctl: %s: %s\n", what, strerror(-err));
}

/**
 * cnl_connect_or_die() - cnl_open() for commands: explain failure and exit
 * @nl: connection to set up
 *
 * Return: 0 (exits with status 1 on failure).
 */
int cnl_connect_or_die(struct cnl *nl)
{
	int err = cnl_open(nl);

	if (err == -ENOENT) {
		fprintf(stderr, "causalctl: the causal module is not loaded (no generic netlink family \"%s\"); load it with 'modprobe causal'\n",
			CAUSAL_FAMILY_NAME);
		exit(1);
	}
	if (err < 0) {
		fprintf(stderr, "causalctl: cannot talk to the kernel over generic netlink: %s\n",
			strerror(-err));
		exit(1);
	}
	return 0;
}
