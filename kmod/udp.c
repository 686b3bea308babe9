// SPDX-License-Identifier: GPL-2.0
/*
 * UDP events and the kfuncs causal's BPF programs call for them.
 *
 * A send event happens for every datagram an application sends
 * (ip_send_skb() and ip6_send_skb() with a UDP socket's skb, after UDP made
 * its header and checksum and before IP sets its lengths); the stamp goes
 * into the datagram's surplus area as a UDP option (RFC 9868,
 * include/uapi/linux/causal_wire.h), which receivers without causal never
 * see.  A receive event happens when an application takes a datagram
 * (skb_consume_udp()), and merges the stamp its datagram came with.  A GSO
 * send is one send event, its datagrams each stamped with its stamp where
 * the module cuts them (causal_udp_gso_out()).
 *
 * The stamp is read earlier, in udp_rcv()/udpv6_rcv(), before UDP trims the
 * skb to the UDP length: checked and counted there, its place is written
 * into the skb's control block (struct causal_udp_cb), in bytes UDP leaves
 * alone until the application's read; the area's bytes stay in the skb's
 * linear data past its end.  Copies of a multicast or broadcast datagram,
 * clones of the one skb, carry the same control block and data, so every
 * receiver merges the stamp.
 *
 * Datagrams are not FIFO: a vector stamp carries the whole vector, up to
 * CAUSAL_UDP_VEC_MAX entries.
 */

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/hash.h>
#include <linux/ipv6.h>
#include <linux/kprobes.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp.h>
#include <causal/clock.h>
#include <uapi/linux/causal.h>
#include <uapi/linux/causal_wire.h>

#include "compat.h"
#include "event.h"
#include "kfunc.h"
#include "notify.h"
#include "sock.h"
#include "udp.h"

/**
 * struct causal_udp_cb - where a datagram's surplus area is, from its
 *	arrival to the application's read
 * @mark: causal_udp_mark() of the skb's data and the three below; anything
 *	else (what lower layers left, an area not ours) reads as no stamp
 * @ulen: the UDP length, where the area starts after the UDP header
 * @alen: the area's length
 * @poff: where the payload of our option starts in the area, which
 *	causal_udp_rx() checked whole (its OCS, every option, ours)
 *
 * At CAUSAL_UDP_CB_OFFSET of skb->cb: after UDP's own (struct udp_skb_cb,
 * which holds IPv4's and IPv6's, and the packet info IP_PKTINFO keeps
 * there), before the data end a cgroup skb program saves and restores
 * there (struct bpf_skb_data_end) and the drop count a socket's queue
 * writes at the end (struct sock_skb_cb).  skb_clone() copies it.  Only
 * the segmenting of a GRO'd datagram for a socket that does not take them
 * writes there (struct skb_gso_cb, from byte 32): a stamped datagram is
 * never GRO'd (its UDP length is not its IP payload's), and a segment's
 * mark no longer matches its lengths.
 */
struct causal_udp_cb {
	u32 mark;
	u16 ulen;
	u16 alen;
	u16 poff;
};

#define CAUSAL_UDP_CB_OFFSET 28

static_assert(sizeof(struct udp_skb_cb) <= CAUSAL_UDP_CB_OFFSET);
static_assert(sizeof(struct in_pktinfo) <= CAUSAL_UDP_CB_OFFSET);
static_assert(CAUSAL_UDP_CB_OFFSET + sizeof(struct causal_udp_cb) <=
	      offsetof(struct bpf_skb_data_end, data_end));
static_assert(CAUSAL_UDP_CB_OFFSET + sizeof(struct causal_udp_cb) <= SOCK_SKB_CB_OFFSET);

/* The longest area causal_udp_rx() reads: its length fits the cb's. */
#define CAUSAL_UDP_AREA_MAX (CAUSAL_UDP_TRAILER_MAX + 64)
static_assert(CAUSAL_UDP_AREA_MAX <= U16_MAX);
/* our option's length in its one byte, never the extended form's marker */
static_assert(CAUSAL_UDPOPT_HDR + CAUSAL_UDP_PAY_MAX < CAUSAL_UDPOPT_EXTENDED);

/*
 * A datagram in page fragments is made linear for the stamp to be added
 * (on the way out) or to stay with it (on the way in), up to this size;
 * larger ones go unstamped.
 */
#define CAUSAL_UDP_PULL_MAX 2048

static u64 causal_udp_salt __read_mostly;

static struct causal_udp_cb *causal_udp_cb(const struct sk_buff *skb)
{
	return (struct causal_udp_cb *)&skb->cb[CAUSAL_UDP_CB_OFFSET];
}

/*
 * The mark of an area of @alen bytes after @ulen of UDP, its payload at
 * @poff, in @skb's data: clones share it (the same head), another skb's or
 * another datagram's is a different one but by a chance in 2^32 (the salt
 * is secret), and the payload's form is checked again when it is read.
 */
static u32 causal_udp_mark(const struct sk_buff *skb, u32 ulen, u32 alen, u32 poff)
{
	u64 k = (u64)(unsigned long)skb->head ^ causal_udp_salt ^
		((u64)ulen << 32 | alen << 16 | poff);

	return hash_64(k, 32) | 1;
}

/*
 * @sum, the Internet checksum of an area's bytes from its OCS on, with the
 * area's length @alen added and folded: 0 when the OCS is right (the sum
 * is all ones); summed with the OCS still zero, the OCS to write.
 */
static __sum16 causal_udp_ocs_fold(__wsum sum, u32 alen)
{
	return csum_fold(csum_add(sum, (__force __wsum)htons(alen)));
}

/*
 * UDP GSO sends (UDP_SEGMENT) are cut into datagrams after ip_send_skb():
 * by the device, by validate_xmit_skb(), or, over veth, by the receiving
 * socket; a trailer on the GSO skb would become the last datagram's data.
 * On a node whose tracked sockets send them, the module hooks the end of
 * local output (netfilter, after every other hook) and cuts them there
 * itself, each datagram with the send's stamp.  The hooks are registered
 * at the node's first such send (by a work item: registering sleeps) and
 * stay until the node goes: no other node, and no node before it needs
 * them, pays for a hook on each packet it sends.  GSO sends before the
 * hooks are in go unstamped (nospace-out).
 */
enum {
	CAUSAL_UDP_GSO_OFF,
	CAUSAL_UDP_GSO_PENDING,
	CAUSAL_UDP_GSO_ON,
	CAUSAL_UDP_GSO_FAILED,
};

static unsigned int causal_udp_net_id __read_mostly;

/* What UDP keeps per node: its GSO hooks and their registering. */
struct causal_udp_net {
	struct net *net;
	struct work_struct gso_work;
	int gso;	/* CAUSAL_UDP_GSO_* */
};

static unsigned int causal_udp_gso_out(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state);

static const struct nf_hook_ops causal_udp_gso_ops[] = {
	{
		.hook = causal_udp_gso_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_LAST,
	},
	{
		.hook = causal_udp_gso_out,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_LAST,
	},
};

static void causal_udp_gso_work(struct work_struct *work)
{
	struct causal_udp_net *un = container_of(work, struct causal_udp_net, gso_work);
	int err;

	err = nf_register_net_hooks(un->net, causal_udp_gso_ops, ARRAY_SIZE(causal_udp_gso_ops));
	if (err)
		pr_warn("UDP GSO sends stay unstamped: hooks not registered (%d)\n", err);
	WRITE_ONCE(un->gso, err ? CAUSAL_UDP_GSO_FAILED : CAUSAL_UDP_GSO_ON);
}

/*
 * May @net's GSO sends be cut and stamped at the end of local output?  The
 * first call asks for the hooks.
 */
static bool causal_udp_gso_ready(struct net *net)
{
	struct causal_udp_net *un = net_generic(net, causal_udp_net_id);
	int gso = READ_ONCE(un->gso);

	if (gso == CAUSAL_UDP_GSO_OFF &&
	    cmpxchg(&un->gso, CAUSAL_UDP_GSO_OFF, CAUSAL_UDP_GSO_PENDING) == CAUSAL_UDP_GSO_OFF)
		schedule_work(&un->gso_work);
	return gso == CAUSAL_UDP_GSO_ON;
}

static int __net_init causal_udp_net_init(struct net *net)
{
	struct causal_udp_net *un = net_generic(net, causal_udp_net_id);

	un->net = net;
	INIT_WORK(&un->gso_work, causal_udp_gso_work);
	return 0;
}

/* Every socket of the node is gone: no send asks for the hooks any more. */
static void __net_exit causal_udp_net_exit(struct net *net)
{
	struct causal_udp_net *un = net_generic(net, causal_udp_net_id);

	cancel_work_sync(&un->gso_work);
	if (un->gso == CAUSAL_UDP_GSO_ON)
		nf_unregister_net_hooks(net, causal_udp_gso_ops, ARRAY_SIZE(causal_udp_gso_ops));
}

static struct pernet_operations causal_udp_net_ops = {
	.init = causal_udp_net_init,
	.exit = causal_udp_net_exit,
	.id = &causal_udp_net_id,
	.size = sizeof(struct causal_udp_net),
};

/* The state of UDP socket @sk, made if it has none. */
static struct causal_sock *causal_udp_sock(struct sock *sk)
{
	struct causal_sock *cs;

	cs = causal_sock_lookup(sk);
	return cs ?: causal_sock_create(sk);
}

/* kfuncs: declared in kfunc.h, called from BPF programs only. */

/*
 * Append @len bytes at @data to @skb, a linear UDP datagram about to leave;
 * @sum is their Internet checksum, summed from @off, an even offset of the
 * datagram (the appended bytes before it, if any, are zero).
 *
 * UDP's checksum covers the UDP length only, and an offloaded one is left
 * to whoever finishes it (the device, or skb_checksum_help() before a
 * device that cannot): a sum from the UDP header to the end of the skb,
 * started from the seed UDP wrote in the checksum field.  The area's own
 * sum comes out of the seed, so that the checksum finished is UDP's and
 * the skb stays offloaded.
 */
static int causal_udp_append(struct sk_buff *skb, const u8 *data, u32 len,
			     __wsum sum, u32 off)
{
	struct dst_entry *dst = skb_dst(skb);
	struct udphdr *uh;

	if (skb_is_gso(skb) || !dst || skb->len + len > dst_mtu(dst))
		return -ENOSPC;
	/*
	 * Built in page fragments (corked sends, MSG_MORE, spliced pages): the
	 * area goes after them, in the linear data a small datagram is
	 * copied into.
	 */
	if (skb_is_nonlinear(skb)) {
		if (skb->len > CAUSAL_UDP_PULL_MAX)
			return -ENOSPC;
		if (skb_linearize(skb))
			return -ENOMEM;
	}
	/* an offload that does not start at the UDP header: finish it here */
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    (skb_checksum_start(skb) != skb_transport_header(skb) ||
	     skb->csum_offset != offsetof(struct udphdr, check)) &&
	    skb_checksum_help(skb))
		return -EIO;
	/* Room at the tail, in data of its own (a clone would see the write). */
	if ((skb_cloned(skb) || skb_tailroom(skb) < len) &&
	    pskb_expand_head(skb, 0, max_t(int, len - skb_tailroom(skb), 0), GFP_ATOMIC))
		return -ENOMEM;
	skb_put_data(skb, data, len);
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		uh = udp_hdr(skb);
		uh->check = ~csum_fold(csum_block_sub(csum_unfold(uh->check), sum, off));
	}
	return 0;
}

/*
 * The message of a datagram's send (@out) or receive: its addresses from
 * its headers, seen from the socket, and its size.
 */
static void causal_udp_note_msg(struct causal_note *n, struct causal_sock *cs,
				const struct sk_buff *skb, bool out, u64 clock)
{
	const struct udphdr *uh = udp_hdr(skb);
	struct causal_addr a = {};
	struct in6_addr *src = out ? &a.saddr : &a.daddr;
	struct in6_addr *dst = out ? &a.daddr : &a.saddr;

	a.sport = out ? uh->source : uh->dest;
	a.dport = out ? uh->dest : uh->source;
	if (ip_hdr(skb)->version == 4) {
		a.family = AF_INET;
		memcpy(src, &ip_hdr(skb)->saddr, sizeof(__be32));
		memcpy(dst, &ip_hdr(skb)->daddr, sizeof(__be32));
	} else {
		a.family = AF_INET6;
		*src = ipv6_hdr(skb)->saddr;
		*dst = ipv6_hdr(skb)->daddr;
	}
	causal_note_u32(n, CAUSAL_A_EVENT_BYTES, ntohs(uh->len) - sizeof(*uh));
	causal_note_end(n, cs, &a, clock);
}

/* Finish the note of a datagram's send or receive: nothing if unheard. */
static void causal_udp_note_end(struct causal_note *n, struct causal_sock *cs,
				const struct sk_buff *skb, bool out, u64 clock)
{
	if (n->msg)
		causal_udp_note_msg(n, cs, skb, out, clock);
	else if (n->lost)
		causal_note_end(n, cs, NULL, clock);	/* counts it */
}

static int __causal_udp_send(struct sk_buff *skb);
static bool causal_udp_stamp(struct sk_buff *skb, const u8 *pay, u32 plen);

/*
 * Admit a call about @skb, a datagram leaving (causal_call_sk() on its
 * socket, then the datagram's form).  Return: 0, having entered causal
 * (*@bit for causal_call_end()), or the error to return.
 */
static __always_inline int causal_udp_send_enter(struct sk_buff *skb, unsigned int *bit)
{
	int ret;

	if (!skb)
		return causal_call_refuse(&init_net, -EINVAL);
	ret = causal_call_sk(skb->sk, IPPROTO_UDP, false, bit);
	if (ret)
		return ret;
	if (skb_shared(skb) || !causal_call_skb_headers(skb, true) ||
	    (!skb_is_gso(skb) &&
	     ntohs(udp_hdr(skb)->len) != skb->len - skb_transport_offset(skb))) {
		causal_call_end(*bit);
		return causal_call_refuse(sock_net(skb->sk), -EINVAL);
	}
	return 0;
}

/**
 * causal_udp_send() - a datagram of a socket of the attached cgroup leaves
 * @skb: it (fentry of ip_send_skb or ip6_send_skb), with its UDP header and
 *	checksum made and its IP lengths not yet set
 *
 * For a UDP socket: a send event (the socket gets its state on its first),
 * and its stamp appended as the datagram's surplus area.
 *
 * Return: 0, -ENOENT when the node is at its socket cap, -EINVAL for an skb
 * that is not such a datagram (no socket, shared, headers out of place, a
 * length that is not UDP's), or an error of causal_call_sk().
 */
__bpf_kfunc int causal_udp_send(struct sk_buff *skb)
{
	unsigned int bit;
	int ret;

	ret = causal_udp_send_enter(skb, &bit);
	if (ret)
		return ret;
	ret = __causal_udp_send(skb);
	causal_call_end(bit);
	return ret;
}

/**
 * causal_udp_send_wire() - causal_udp_send() for make bench's wire
 *	ablation (CAUSAL_ABLATE_WIRE)
 * @skb: as for causal_udp_send()
 *
 * The same admission, and the same stamp's bytes appended, but a constant
 * stamp: no state, clock, event or counter.  What carrying a stamp costs
 * by itself; never called by the programs causal attaches otherwise.
 *
 * Return: as causal_udp_send().
 */
__bpf_kfunc int causal_udp_send_wire(struct sk_buff *skb)
{
	u8 pay[CAUSAL_PAY_SCALAR_FULL] __uninitialized;
	struct causal_net *cn;
	unsigned int bit;
	u32 plen;
	int ret;

	ret = causal_udp_send_enter(skb, &bit);
	if (ret)
		return ret;
	if (!skb_is_gso(skb)) {
		cn = causal_net_rcu(sock_net(skb->sk));
		plen = causal_pay_scalar(pay, 1, 0, READ_ONCE(cn->node_id));
		causal_udp_stamp(skb, pay, plen);
	}
	causal_call_end(bit);
	return 0;
}

/*
 * A datagram's send event on @cs (@skb, a GSO one the sends of its
 * datagrams, not yet cut: segmenting gives the socket to the datagrams):
 * the clock ticks, its note goes out.  Return: the length of the stamp's
 * payload, written at @pay.
 */
static u32 causal_udp_send_event(struct causal_sock *cs, struct sk_buff *skb, u8 *pay)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_note note __uninitialized;
	bool vector;
	u32 plen;
	u64 c;

	vector = READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR;
	causal_note_begin(&note, cn, sock_net(skb->sk), CAUSAL_EVENT_TYPE_SEND, vector);
	if (vector) {
		plen = causal_vec_send(cs, pay, CAUSAL_UDP_PAY_MAX, false, false, &c, &note);
	} else {
		c = causal_event(cs, NULL, NULL);
		plen = causal_pay_scalar(pay, c, note.id, READ_ONCE(cn->node_id));
	}
	causal_sock_seen(cs, true, c);
	causal_sock_count(cs, CAUSAL_STAT_SENDS, 1);
	causal_udp_note_end(&note, cs, skb, true, c);
	return plen;
}

/*
 * Stamp @skb, a datagram about to leave, with payload @pay of @plen bytes.
 * Return: whether the stamp went in (it does not when the datagram has no
 * room for it or memory is short).
 */
static bool causal_udp_stamp(struct sk_buff *skb, const u8 *pay, u32 plen)
{
	u8 area[CAUSAL_UDP_TRAILER_MAX] __uninitialized;
	u32 ulen = ntohs(udp_hdr(skb)->len), o = ulen & 1, alen;
	__sum16 ocs;
	__wsum sum;

	alen = causal_udp_build_area(area, o, pay, plen);
	sum = csum_partial(area + o, alen - o, 0);
	ocs = causal_udp_ocs_fold(sum, alen) ?: CSUM_MANGLED_0;
	memcpy(area + o, &ocs, sizeof(ocs));
	/* the area's sum with its OCS, from where the OCS is */
	sum = csum_add(sum, (__force __wsum)ocs);
	return !causal_udp_append(skb, area, alen, sum, ulen + o);
}

/* Stamp @skb, a datagram of @cs, and count it. */
static void causal_udp_stamp_sock(struct causal_sock *cs, struct sk_buff *skb,
				  const u8 *pay, u32 plen)
{
	causal_sock_count(cs, causal_udp_stamp(skb, pay, plen) ?
			  CAUSAL_STAT_STAMPS_OUT : CAUSAL_STAT_NOSPACE_OUT, 1);
}

static int __causal_udp_send(struct sk_buff *skb)
{
	u8 pay[CAUSAL_UDP_PAY_MAX] __uninitialized;
	struct causal_sock *cs;
	u32 plen;

	cs = causal_udp_sock(skb->sk);
	if (!cs)
		return -ENOENT;
	/* cut and stamped at the end of local output, once the hooks are in */
	if (skb_is_gso(skb) && causal_udp_gso_ready(sock_net(skb->sk))) {
		causal_udp_cb(skb)->mark = causal_udp_mark(skb, 0, 0, 0);
		return 0;
	}
	plen = causal_udp_send_event(cs, skb, pay);
	causal_udp_stamp_sock(cs, skb, pay, plen);
	return 0;
}

/*
 * Cut @skb, a GSO send of a tracked socket that ip_send_skb() saw, into
 * its datagrams, each stamped with the send's stamp and its IP length
 * made again.  Return: the datagrams, or NULL to let @skb go on whole
 * (unstamped, counted).
 */
static struct sk_buff *__causal_udp_gso(struct sk_buff *skb)
{
	u8 pay[CAUSAL_UDP_PAY_MAX] __uninitialized;
	struct sk_buff *segs, *seg;
	struct causal_sock *cs;
	u32 plen, nlen;

	cs = causal_sock_lookup(skb->sk);
	if (!cs)
		return NULL;
	plen = causal_udp_send_event(cs, skb, pay);
	segs = skb_gso_segment(skb, NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		causal_sock_count(cs, CAUSAL_STAT_NOSPACE_OUT, skb_shinfo(skb)->gso_segs);
		return NULL;
	}
	for (seg = segs; seg; seg = seg->next) {
		causal_udp_stamp_sock(cs, seg, pay, plen);
		nlen = seg->len - skb_network_offset(seg);
		if (ip_hdr(seg)->version == 4) {
			ip_hdr(seg)->tot_len = htons(nlen);
			ip_send_check(ip_hdr(seg));
		} else {
			ipv6_hdr(seg)->payload_len = htons(nlen - sizeof(struct ipv6hdr));
		}
	}
	return segs;
}

/*
 * The netfilter hook at the end of local output of a node whose GSO sends
 * are stamped: such a send, marked by causal_udp_send(), goes on as its
 * datagrams.
 */
static unsigned int causal_udp_gso_out(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct sk_buff *segs, *seg, *next;
	struct sock *sk = skb->sk;
	unsigned int bit;

	if (!skb_is_gso(skb) || !(skb_shinfo(skb)->gso_type & SKB_GSO_UDP_L4) ||
	    !sk || causal_udp_cb(skb)->mark != causal_udp_mark(skb, 0, 0, 0))
		return NF_ACCEPT;
	if (causal_call_sk(sk, IPPROTO_UDP, false, &bit))
		return NF_ACCEPT;
	segs = __causal_udp_gso(skb);
	causal_call_end(bit);
	if (!segs)
		return NF_ACCEPT;
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		state->okfn(state->net, state->sk, seg);
	}
	return NF_STOLEN;
}

static void __causal_udp_rx(struct sk_buff *skb);

/**
 * causal_udp_rx() - a UDP datagram arrives
 * @skb: it (fentry of udp_rcv or udpv6_rcv): data at the UDP header, length
 *	the whole IP payload
 *
 * Reads and checks the stamp in its surplus area, if any, and keeps it for
 * the application's receive (which counts it).  Malformed and foreign
 * options are counted on the receiving node and ignored.
 *
 * Return: 0, or -EINVAL for an skb that is not such a datagram (shared,
 * without a device, its data not at its UDP header), or an error of
 * causal_call_net().
 */
__bpf_kfunc int causal_udp_rx(struct sk_buff *skb)
{
	unsigned int bit;
	int ret;

	if (!skb || !skb->dev)
		return causal_call_refuse(&init_net, -EINVAL);
	/* whatever happens next, no stamp unless one is found */
	if (!skb_shared(skb))
		causal_udp_cb(skb)->mark = 0;
	ret = causal_call_net(dev_net(skb->dev), &bit);
	if (ret)
		return ret;
	/* as udp_rcv() has it: unshared, data at the UDP header */
	if (!skb_shared(skb) && causal_call_skb_headers(skb, true) &&
	    skb->data == skb_transport_header(skb) &&
	    (ip_hdr(skb)->version != 4 || ip_hdr(skb)->protocol == IPPROTO_UDP))
		__causal_udp_rx(skb);
	else
		ret = causal_call_refuse(dev_net(skb->dev), -EINVAL);
	causal_call_end(bit);
	return ret;
}

static void __causal_udp_rx(struct sk_buff *skb)
{
	u8 buf[CAUSAL_UDP_AREA_MAX] __uninitialized;
	struct udphdr _uh, *uh;
	struct causal_udp_cb *cb;
	struct causal_net *cn;
	const u8 *area, *pay;
	u32 ulen, alen, plen, o;
	int found;

	uh = skb_header_pointer(skb, 0, sizeof(_uh), &_uh);
	if (!uh || !skb->dev)
		return;
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen >= skb->len)
		return;
	cn = causal_net_rcu(dev_net(skb->dev));
	alen = skb->len - ulen;
	if (alen > CAUSAL_UDP_AREA_MAX) {
		causal_stat_inc(cn, CAUSAL_STAT_MALFORMED_IN);
		pr_debug_ratelimited("node %016llx: UDP option area of %u bytes refused as malformed\n",
				     READ_ONCE(cn->node_id), alen);
		return;
	}
	area = skb_header_pointer(skb, ulen, alen, buf);
	if (!area)
		return;
	o = ulen & 1;
	if (!causal_udp_area_ok(area, alen, o) ||
	    causal_udp_ocs_fold(csum_partial(area + o, alen - o, 0), alen))
		found = CAUSAL_UDP_MALFORMED;
	else
		found = causal_udp_parse_opts(area, alen, o, &pay, &plen);
	switch (found) {
	case CAUSAL_UDP_OURS:
		break;
	case CAUSAL_UDP_MALFORMED:
		causal_stat_inc(cn, CAUSAL_STAT_MALFORMED_IN);
		pr_debug_ratelimited("node %016llx: UDP option area of %u bytes refused as malformed\n",
				     READ_ONCE(cn->node_id), alen);
		return;
	case CAUSAL_UDP_FOREIGN:
		causal_stat_inc(cn, CAUSAL_STAT_FOREIGN_IN);
		return;
	default:
		return;
	}
	/*
	 * The area stays in the linear data, past the end UDP trims the skb
	 * to; one in page fragments would go with them.
	 */
	if (skb_headlen(skb) < skb->len &&
	    (skb->len > CAUSAL_UDP_PULL_MAX || !pskb_may_pull(skb, skb->len)))
		return;
	cb = causal_udp_cb(skb);
	cb->ulen = ulen;
	cb->alen = alen;
	cb->poff = pay - area;
	cb->mark = causal_udp_mark(skb, ulen, alen, cb->poff);
}

/*
 * The payload of the stamp @skb came with, as causal_udp_rx() found it:
 * at *@pay, its length returned; 0 if none.  The area's bytes, past the
 * skb's end, are as causal_udp_rx() checked them: nothing writes there
 * (a clone's owner would copy the data first, and a new head changes the
 * mark).
 */
static __always_inline u32 causal_udp_take(const struct sk_buff *skb, const u8 **pay)
{
	const struct causal_udp_cb *cb = causal_udp_cb(skb);
	const u8 *area;
	u32 plen;

	if (!cb->mark || cb->mark != causal_udp_mark(skb, cb->ulen, cb->alen, cb->poff) ||
	    cb->ulen != ntohs(udp_hdr(skb)->len) ||
	    cb->poff < CAUSAL_UDPOPT_HDR || cb->poff >= cb->alen)
		return 0;
	area = skb_transport_header(skb) + cb->ulen;
	if (area + cb->alen > skb_end_pointer(skb))
		return 0;
	/* the option's length, in the byte after its kind */
	plen = area[cb->poff - CAUSAL_UDPOPT_HDR + 1];
	if (plen < CAUSAL_UDPOPT_HDR)
		return 0;
	plen -= CAUSAL_UDPOPT_HDR;
	if (cb->poff + plen > cb->alen ||
	    !causal_pay_valid(area + cb->poff, plen, CAUSAL_UDP_PAY_MAX))
		return 0;
	*pay = area + cb->poff;
	return plen;
}

static int __causal_udp_recv(struct sock *sk, struct sk_buff *skb);

/*
 * Admit a call about @skb, a datagram @sk's application takes
 * (causal_call_sk(), then the skb's headers).  Return: 0, having entered
 * causal (*@bit for causal_call_end()), or the error to return.
 */
static __always_inline int causal_udp_recv_enter(struct sock *sk, struct sk_buff *skb,
						 unsigned int *bit)
{
	int ret;

	ret = causal_call_sk(sk, IPPROTO_UDP, false, bit);
	if (ret)
		return ret;
	if (!skb || !causal_call_skb_headers(skb, true)) {
		causal_call_end(*bit);
		return causal_call_refuse(sock_net(sk), -EINVAL);
	}
	return 0;
}

/**
 * causal_udp_recv() - an application takes a datagram
 * @sk: the socket (fentry of skb_consume_udp, not for MSG_PEEK)
 * @skb: the datagram
 *
 * A receive event that merges the datagram's stamp.
 *
 * Return: 0, -ENOENT when the socket goes untracked, -EINVAL for an skb
 * whose headers are out of place, or an error of causal_call_sk().
 */
__bpf_kfunc int causal_udp_recv(struct sock *sk, struct sk_buff *skb)
{
	unsigned int bit;
	int ret;

	ret = causal_udp_recv_enter(sk, skb, &bit);
	if (ret)
		return ret;
	ret = __causal_udp_recv(sk, skb);
	causal_call_end(bit);
	return ret;
}

/**
 * causal_udp_recv_wire() - causal_udp_recv() for make bench's wire
 *	ablation (CAUSAL_ABLATE_WIRE)
 * @sk: as for causal_udp_recv()
 * @skb: as for causal_udp_recv()
 *
 * The same admission, and the stamp taken as causal_udp_recv() takes it,
 * but neither merged nor counted: no state, clock or event.
 *
 * Return: the length of the stamp's payload (0: none), or an error as
 * causal_udp_recv()'s.
 */
__bpf_kfunc int causal_udp_recv_wire(struct sock *sk, struct sk_buff *skb)
{
	const u8 *pay;
	unsigned int bit;
	int ret;

	ret = causal_udp_recv_enter(sk, skb, &bit);
	if (ret)
		return ret;
	ret = causal_udp_take(skb, &pay);
	causal_call_end(bit);
	return ret;
}

static int __causal_udp_recv(struct sock *sk, struct sk_buff *skb)
{
	struct causal_vec_rx rx __uninitialized;
	struct causal_note note __uninitialized;
	struct causal_sock *cs;
	struct causal_net *cn;
	bool vector, ok, forged;
	const u8 *pay;
	u32 len;
	u64 c = 0, stamp;

	cs = causal_udp_sock(sk);
	if (!cs)
		return -ENOENT;
	len = causal_udp_take(skb, &pay);
	cn = causal_sock_node(cs);
	vector = READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR;
	ok = len && !!(pay[0] & CAUSAL_TCPOPT_F_VECTOR) == vector;
	causal_note_begin(&note, cn, sock_net(sk), CAUSAL_EVENT_TYPE_RECV, vector);
	if (vector) {
		if (causal_vec_recv_begin(cs, &rx, &note)) {
			if (ok)
				causal_vec_recv_pay(&rx, pay, len);
			c = causal_vec_recv_end(cs, &rx, !ok, false, 0);
			ok &= !rx.forged;
		}
	} else if (ok) {
		stamp = causal_wire_get64(&pay[CAUSAL_PAY_STAMP]);
		c = causal_event(cs, &stamp, &forged);
		if (forged) {
			ok = false;	/* not merged: as if it came unstamped */
		} else {
			causal_sock_remote(cs, &stamp, len == CAUSAL_PAY_SCALAR_FULL ?
					   causal_wire_get64(&pay[CAUSAL_PAY_NODE]) : 0);
			if (pay[0] & CAUSAL_TCPOPT_F_INEXACT)
				causal_sock_count(cs, CAUSAL_STAT_INEXACT_IN, 1);
		}
	} else {
		c = causal_event(cs, NULL, NULL);
	}
	if (!ok) {
		causal_note_flag(&note, CAUSAL_A_EVENT_UNSTAMPED);
	} else {
		causal_note_pay_key(&note, pay, len, 0);
		if (pay[0] & CAUSAL_TCPOPT_F_INEXACT)
			causal_note_flag(&note, CAUSAL_A_EVENT_INEXACT);
	}
	causal_sock_seen(cs, false, c);
	causal_sock_count(cs, CAUSAL_STAT_RECEIVES, 1);
	causal_sock_count(cs, ok ? CAUSAL_STAT_STAMPS_IN : CAUSAL_STAT_UNSTAMPED_IN, 1);
	causal_udp_note_end(&note, cs, skb, false, c);
	return 0;
}

/*
 * UDP sockets have no destroy tracepoint: the module probes the functions
 * UDP's close calls, so that their state goes with them whatever is
 * attached.  The probes sit on function entries, where kprobes go through
 * ftrace and run in the caller's context (interrupts on), as the table
 * locks need; causal_udp_init() refuses anything else.
 */
static int causal_udp_destroy_probe(struct kprobe *p, struct pt_regs *regs)
{
	causal_sock_forget((struct sock *)regs_get_kernel_argument(regs, 0));
	return 0;
}

static struct kprobe causal_udp_kprobes[] = {
	{ .symbol_name = "udp_destroy_sock", .pre_handler = causal_udp_destroy_probe },
	{ .symbol_name = "udpv6_destroy_sock", .pre_handler = causal_udp_destroy_probe },
};

static struct kprobe *causal_udp_kprobe_ptrs[] = {
	&causal_udp_kprobes[0], &causal_udp_kprobes[1],
};

/**
 * causal_udp_init() - UDP's part of every node (its GSO hooks), and the
 *	probes of the destruction of UDP sockets
 *
 * Return: 0, the error of register_pernet_subsys() or register_kprobes(),
 * or -EOPNOTSUPP when the kernel cannot place the probes through ftrace
 * (CONFIG_KPROBES_ON_FTRACE).
 */
int causal_udp_init(void)
{
	int i, ret;

	causal_udp_salt = get_random_u64();
	ret = register_pernet_subsys(&causal_udp_net_ops);
	if (ret)
		return ret;
	ret = register_kprobes(causal_udp_kprobe_ptrs, ARRAY_SIZE(causal_udp_kprobe_ptrs));
	if (ret) {
		unregister_pernet_subsys(&causal_udp_net_ops);
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(causal_udp_kprobes); i++) {
		if (kprobe_ftrace(&causal_udp_kprobes[i]))
			continue;
		pr_err("%s: probe not placed through ftrace\n",
		       causal_udp_kprobes[i].symbol_name);
		causal_udp_exit();
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * causal_udp_exit() - undo causal_udp_init()
 */
void causal_udp_exit(void)
{
	unregister_kprobes(causal_udp_kprobe_ptrs, ARRAY_SIZE(causal_udp_kprobe_ptrs));
	unregister_pernet_subsys(&causal_udp_net_ops);
}
