// SPDX-License-Identifier: GPL-2.0
/*
 * causal's BPF programs: the hooks through which the module's clocks reach
 * TCP.
 *
 *  - causal_sockops (sock_ops, attached to a cgroup): gives each connection
 *    of the cgroup its causal_tcp record when it is established, writes the
 *    stamp option on every segment with payload, and parses the options of
 *    arriving segments into the record.
 *  - causal_send, causal_sent, causal_recv, causal_read, causal_close
 *    (fentry/fexit): an application's sends and receives on those sockets,
 *    handed to the module's kfuncs with the record; causal_connect,
 *    causal_accept, causal_release: connects, accepts and closes, events
 *    too.
 *  - UDP: causal_sock_create marks the cgroup's sockets; causal_udp_*
 *    stamp and read datagrams through the module.
 *
 * Where sock_ops may call the module (Linux 6.8+), it asks the module to
 * size, write and parse a scalar connection's option (causal_tcp_ops_*()),
 * on the state the module keeps; elsewhere (Linux 6.1), and for vector
 * connections, it works on the connection's record in BPF storage itself.
 * include/causal/tcp_state.h explains how the two sides meet.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include <causal/ablate.h>
/*
 * The option walk's variables live in map memory and are loaded afresh at
 * each use, so that the verifier knows nothing of their values and checks
 * the loop once instead of once per way through it.
 */
#define CAUSAL_WALK(w, field) (*(volatile __u8 *)&(w)->w_##field)
#include <causal/tcp_state.h>
#include <uapi/linux/causal_wire.h>

#define TCPHDR_SYN	0x02
#define TCPHDR_ACK	0x10
#define MSG_PEEK	0x02
#define MSG_FASTOPEN	0x20000000
#define TCP_MAX_OPTS	CAUSAL_TCP_MAX_OPTS
#define ENOENT		2
#define EAGAIN		11

char LICENSE[] SEC("license") = "GPL";

/* A part alone, for benchmarks (include/causal/ablate.h); set before load. */
const volatile __u32 causal_ablate = CAUSAL_ABLATE_NONE;

/*
 * Each connection's record (include/causal/tcp_state.h), in socket storage:
 * every connection's where sock_ops cannot call the module, else only a
 * vector connection's (the module keeps the others': causal_own_records,
 * its parameter own_records, which user space reads before load).  The
 * choice is constant at load: the verifier sees one way only.
 */
const volatile __u8 causal_own_records;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct causal_tcp_state);
} causal_tcp SEC(".maps");

/* where the module keeps scalar connections */
extern int causal_tcp_own_new(struct sock *sk) __ksym;
extern int causal_tcp_ops_est(struct sock *sk, __u32 snd_base, __u32 rcv_base) __ksym;
extern int causal_tcp_ops_len(struct sock *sk, __u32 skb_len, __u32 tcp_flags) __ksym;
extern int causal_tcp_ops_write(struct sock *sk, __u8 *opt, int opt__sz, __u32 end,
				int full) __ksym;
extern int causal_tcp_ops_done(struct sock *sk, int what, __u32 end) __ksym;
extern int causal_tcp_ops_parse(struct sock *sk, const struct causal_tcp_opts *opts,
				__u32 optlen, __u32 seq, __u32 payload) __ksym;
extern int causal_tcp_connect_own(struct sock *sk) __ksym;
extern int causal_tcp_accept_own(struct sock *sk) __ksym;

/* A socket's record, made (@create) if it has none, or NULL. */
static __always_inline struct causal_tcp_state *record_of(struct sock *sk, int create)
{
	return bpf_sk_storage_get(&causal_tcp, sk, 0, create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
}

/* The histories of vector connections, made when they need them. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct causal_tcp_vec);
} causal_tcp_vec SEC(".maps");

extern int causal_tcp_send(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_send_vec(struct sock *sk, struct causal_tcp_state *st,
			       struct causal_tcp_vec *vh) __ksym;
extern int causal_tcp_sent(struct sock *sk, struct causal_tcp_state *st, int ret) __ksym;
extern int causal_tcp_connect(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_accept(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_sock_close(struct sock *sk) __ksym;
extern int causal_tcp_recv(struct sock *sk, struct causal_tcp_state *st,
			   int copied) __ksym;
extern int causal_tcp_recv_vec(struct sock *sk, struct causal_tcp_state *st,
			       struct causal_tcp_vec *vh, int copied) __ksym;
extern int causal_tcp_read(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_read_vec(struct sock *sk, struct causal_tcp_state *st,
			       struct causal_tcp_vec *vh) __ksym;
extern void causal_tcp_close(struct sock *sk, struct causal_tcp_state *st) __ksym;
/* where the module keeps the records: it finds the socket's once */
extern int causal_tcp_send_own(struct sock *sk) __ksym;
extern int causal_tcp_sent_own(struct sock *sk, int sent) __ksym;
extern int causal_tcp_recv_own(struct sock *sk, int copied) __ksym;
extern int causal_tcp_read_own(struct sock *sk) __ksym;

static __always_inline int before32(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/*
 * The same for sock_ops' socket, @sk: NULL unless a full socket.
 * causal_sockops() reads it once, so that the compiler cannot merge loads
 * from the context at different offsets into one the verifier refuses.
 */
static __always_inline struct causal_tcp_state *ops_record(struct bpf_sock *sk, int create)
{
	if (!sk)
		return NULL;
	return bpf_sk_storage_get(&causal_tcp, sk, 0,
				  create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
}

static __always_inline struct causal_tcp_state *state_of(struct bpf_sock *sk)
{
	return ops_record(sk, 0);
}

/*
 * The socket of a connection whose state the module keeps, for sock_ops:
 * a full socket (@sk, NULL for others) without a record in storage, where
 * the module keeps them.
 */
static __always_inline struct sock *own_sock(struct bpf_sock *sk)
{
	if (!causal_own_records || !sk || bpf_sk_storage_get(&causal_tcp, sk, 0, 0))
		return NULL;
	return (struct sock *)sk;
}

/*
 * Where each direction's bytes start.  A connecting socket's SYN-ACK has
 * acknowledged its SYN, which bytes_acked counts as one byte, and any data
 * the SYN carried (TCP Fast Open): its bytes start right after the SYN.
 * An accepted socket's snd_una is already past its SYN-ACK.  The bytes
 * received start where rcv_nxt was before any: after the peer's SYN, with
 * the data a Fast Open SYN carried.
 */
static __always_inline __u32 snd_base(struct bpf_sock_ops *skops)
{
	__u32 una = skops->snd_una;

	if (skops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && skops->bytes_acked)
		una -= (__u32)skops->bytes_acked - 1;
	return una;
}

static __always_inline __u32 rcv_base(struct bpf_sock_ops *skops)
{
	return skops->rcv_nxt - (__u32)skops->bytes_received;
}

static __always_inline void stream(struct bpf_sock_ops *skops, struct causal_tcp_state *st)
{
	st->snd_base = snd_base(skops);
	st->rcv_base = rcv_base(skops);
	st->rcv_read = st->rcv_base;
	st->flags |= CAUSAL_TS_STREAM;
}

static __always_inline void established(struct bpf_sock_ops *skops, struct bpf_sock *bsk)
{
	int passive = skops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;
	struct causal_tcp_state *st;
	struct sock *sk;

	/*
	 * An accepted connection's record or state starts here; a connecting
	 * one's started at its connect (none here means it was refused one
	 * then: counted once, not again).
	 */
	sk = own_sock(bsk);
	if (sk) {
		if ((passive && causal_tcp_own_new(sk)) ||
		    causal_tcp_ops_est(sk, snd_base(skops), rcv_base(skops)))
			return;
	} else {
		st = ops_record(bsk, passive);
		if (!st)
			return;
		stream(skops, st);
	}
	if (causal_ablate == CAUSAL_ABLATE_HOOKS)
		return;
	if (causal_ablate == CAUSAL_ABLATE_OPTION) {
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
					  BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		return;
	}
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
				  BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG |
				  BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/*
 * A connect whose first send came before it (TCP Fast Open: the send
 * connects, and its bytes ride in the SYN): the SYN carries its stamp.
 */
static __always_inline void connecting(struct bpf_sock_ops *skops, struct bpf_sock *bsk)
{
	struct sock *sk = own_sock(bsk);

	if (causal_ablate != CAUSAL_ABLATE_NONE)
		return;
	/* a length asked for no segment: is the connection the module's? */
	if (sk ? causal_tcp_ops_len(sk, 0, 0) < 0 : !state_of(bsk))
		return;
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
				  BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG |
				  BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/* The payload form of the socket's clock (a scalar until the first send). */
static __always_inline __u32 pay_form(struct causal_tcp_state *st, int *vector)
{
	__u32 max = st->pay_max;

	*vector = st->pay_vector;
	if (!max || max > CAUSAL_PAY_MAX) {
		*vector = 0;
		max = CAUSAL_PAY_SCALAR_CLOCK;
	}
	return max;
}

/* What the full send form takes beyond the clock form, both padded. */
#define IDENT_EXTRA	(((CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL + 3) & ~3) - \
			 (CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_CLOCK))

/*
 * Room for the option: on segments with payload, and when the kernel sizes
 * the MSS (no skb: flags 0), so that full segments leave room for it.  The
 * largest form that fits, down to the smallest.
 */
/*
 * A SYN with data (TCP Fast Open): a scalar clock in its clock form, where
 * the SYN's other options (a Fast Open cookie) leave room.
 */
static __always_inline void reserve_syn(struct bpf_sock_ops *skops, struct bpf_sock *bsk)
{
	struct causal_tcp_state *st = state_of(bsk);

	if (!st || !(st->flags & CAUSAL_TS_TRACKED))
		return;
	if (st->pay_vector || !st->tx_clock ||
	    bpf_reserve_hdr_opt(skops, CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_CLOCK, 0))
		st->nospace_out++;
}

/*
 * The same where the module keeps the connection: it says which lengths to
 * try, and counts a data segment that gets none.
 */
static __always_inline void own_reserve(struct bpf_sock_ops *skops, struct sock *sk,
					__u32 flags)
{
	int r = causal_tcp_ops_len(sk, skops->skb_len, flags);

	if (r <= 0 || !bpf_reserve_hdr_opt(skops, r & 0xff, 0))
		return;
	if ((r >> 8) && !bpf_reserve_hdr_opt(skops, (r >> 8) & 0xff, 0))
		return;
	if (flags)
		causal_tcp_ops_done(sk, CAUSAL_OPS_NO_ROOM, 0);
}

static __always_inline void reserve(struct bpf_sock_ops *skops, struct bpf_sock *bsk)
{
	struct causal_tcp_state *st;
	__u32 flags = skops->skb_tcp_flags, len, i;
	struct sock *sk;
	int vector;

	if (flags & TCPHDR_SYN) {
		if (!(flags & TCPHDR_ACK) && skops->skb_len &&
		    causal_ablate == CAUSAL_ABLATE_NONE) {
			sk = own_sock(bsk);
			if (sk)
				own_reserve(skops, sk, flags);
			else
				reserve_syn(skops, bsk);
		}
		return;
	}
	if (flags && !skops->skb_len)
		return;
	/* CAUSAL_ABLATE_OPTION: always room for a full scalar option */
	if (causal_ablate == CAUSAL_ABLATE_OPTION) {
		bpf_reserve_hdr_opt(skops, CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL, 0);
		return;
	}
	sk = own_sock(bsk);
	if (sk) {
		own_reserve(skops, sk, flags);
		return;
	}
	st = state_of(bsk);
	if (!st || !(st->flags & CAUSAL_TS_TRACKED))
		return;
	len = pay_form(st, &vector);
	/*
	 * The node's id, once: on a segment that leaves room for it within
	 * the MSS (sized with the clock form's room only).
	 */
	if (!vector && flags && st->ident != CAUSAL_IDENT_DONE && st->node_id &&
	    skops->skb_len + IDENT_EXTRA <= skops->mss_cache &&
	    !bpf_reserve_hdr_opt(skops, CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL, 0))
		return;
	for (i = 0; i < CAUSAL_PAY_FORMS && len; i++) {
		if (!bpf_reserve_hdr_opt(skops, CAUSAL_TCPOPT_HDR + len, 0))
			return;
		len = causal_pay_shorter(vector, len);
	}
	if (flags)
		st->nospace_out++;
}

/* The send whose bytes start at @seq: the last entry at or before it. */
static __always_inline int tx_lookup(struct causal_tcp_vec *vh, __u32 seq)
{
	__u32 i, n = vh->tx_count, found = CAUSAL_TX_SLOTS;

	for (i = 0; i < CAUSAL_TX_SLOTS; i++) {
		if (i >= n)
			break;
		if (!before32(seq, vh->tx_seq[i]))
			found = i;
	}
	return found;
}

/*
 * A scalar clock: the socket's as of its last send, at least the stamp of
 * every send whose bytes the segment holds or follows.  Nothing before the
 * first send (bytes that came another way have no stamp).
 */
/*
 * The node's id, until the peer has it: the full send form, with the clock
 * and the last send's event number, where reserve() made room.
 */
static __always_inline int write_ident(struct bpf_sock_ops *skops,
				       struct causal_tcp_state *st, __u8 *opt, __u32 end)
{
	const __u32 size = CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL;
	__u8 *pay = &opt[CAUSAL_TCPOPT_OFF_FLAGS];

	if (st->ident == CAUSAL_IDENT_SENT && !before32(skops->snd_una, st->ident_end))
		st->ident = CAUSAL_IDENT_DONE;
	if (st->ident == CAUSAL_IDENT_DONE || !st->node_id)
		return -1;
	opt[1] = size;
	pay[0] = 0;
	causal_wire_put64(&pay[CAUSAL_PAY_STAMP], st->tx_clock);
	causal_wire_putn(&pay[CAUSAL_PAY_EVENT], st->tx_id32, 4);
	causal_wire_put64(&pay[CAUSAL_PAY_NODE], st->node_id);
	if (bpf_store_hdr_opt(skops, opt, size, 0))
		return -1;
	if (st->ident == CAUSAL_IDENT_NONE || before32(st->ident_end, end))
		st->ident_end = end;
	st->ident = CAUSAL_IDENT_SENT;
	return 0;
}

static __always_inline void write_clock(struct bpf_sock_ops *skops,
					struct causal_tcp_state *st, __u8 *opt, __u32 end)
{
	const __u32 size = CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_CLOCK;
	__u64 c = st->tx_clock;

	if (!c) {
		st->nospace_out++;
		return;
	}
	if (!write_ident(skops, st, opt, end)) {
		st->stamped_out++;
		return;
	}
	opt[1] = size;
	opt[CAUSAL_TCPOPT_OFF_FLAGS] = 0;
	causal_wire_putn(&opt[CAUSAL_TCPOPT_OFF_FLAGS + 1], c, CAUSAL_PAY_CLOCK_BITS / 8);
	if (bpf_store_hdr_opt(skops, opt, size, 0))
		st->nospace_out++;
	else
		st->stamped_out++;
}

/*
 * The same where the module keeps the connection: it writes the option,
 * this stores it.  A full form that finds no room becomes the clock form
 * here (its flags, then the low 56 bits of its stamp), not in a second
 * call, so that the stamp is counted once.
 */
static __always_inline void own_write(struct bpf_sock_ops *skops, struct sock *sk,
				      __u8 *opt, __u32 end)
{
	const __u32 clock = CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_CLOCK;
	const __u32 full = CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL;
	int size = causal_tcp_ops_write(sk, opt, 64, end, 1), i;

	if (size <= 0)
		return;
	if (size == full) {
		if (!bpf_store_hdr_opt(skops, opt, full, 0)) {
			causal_tcp_ops_done(sk, CAUSAL_OPS_FULL_SENT, end);
			return;
		}
		for (i = 1; i < CAUSAL_PAY_SCALAR_CLOCK; i++)
			opt[CAUSAL_TCPOPT_HDR + i] = opt[CAUSAL_TCPOPT_HDR + CAUSAL_PAY_STAMP + i];
		opt[1] = clock;
		size = clock;
	}
	if (size != clock || bpf_store_hdr_opt(skops, opt, clock, 0))
		causal_tcp_ops_done(sk, CAUSAL_OPS_UNSENT, 0);
}

/*
 * Write the segment's stamp: a scalar clock, or the vector payload of the
 * segment's send, as long as the room left allows (a vector loses its last
 * entries, and says so).
 */
static __always_inline void write_opt(struct bpf_sock_ops *skops, struct bpf_sock *bsk)
{
	void *data = (void *)(long)skops->skb_data;
	void *end = (void *)(long)skops->skb_data_end;
	struct tcphdr *th = data;
	struct causal_tcp_state *st;
	struct causal_tcp_vec *vh;
	struct bpf_sock *sk;
	__u8 opt[64] = {};	/* a power of two: sizes are masked into it */
	__u32 slot, len, full, size, i;
	int vector, ask;

	if ((void *)(th + 1) > end || skops->skb_len <= th->doff * 4U)
		return;
	opt[0] = CAUSAL_TCPOPT_KIND;
	opt[2] = CAUSAL_TCPOPT_EXID >> 8;
	opt[3] = CAUSAL_TCPOPT_EXID & 0xff;
	/* CAUSAL_ABLATE_OPTION: the same option on every segment, Lamport 1 */
	if (causal_ablate == CAUSAL_ABLATE_OPTION) {
		__builtin_memset(&opt[CAUSAL_TCPOPT_HDR], 0, CAUSAL_PAY_SCALAR_FULL);
		opt[CAUSAL_TCPOPT_HDR + CAUSAL_PAY_STAMP + 7] = 1;
		opt[1] = CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL;
		bpf_store_hdr_opt(skops, opt, CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL, 0);
		return;
	}
	sk = bsk;
	st = state_of(bsk);
	if (!st) {
		if (own_sock(bsk))
			own_write(skops, (struct sock *)sk, opt,
				  bpf_ntohl(th->seq) + skops->skb_len - th->doff * 4);
		return;
	}
	if (!st->pay_vector) {
		write_clock(skops, st, opt, bpf_ntohl(th->seq) + skops->skb_len - th->doff * 4);
		return;
	}
	vh = sk ? bpf_sk_storage_get(&causal_tcp_vec, sk, 0, 0) : NULL;
	slot = vh ? tx_lookup(vh, bpf_ntohl(th->seq)) : CAUSAL_TX_SLOTS;
	barrier_var(slot);
	if (!vh || slot >= CAUSAL_TX_SLOTS) {
		st->nospace_out++;
		if (vh)
			vh->tx_cut = 1;
		return;
	}
	__builtin_memcpy(&opt[CAUSAL_TCPOPT_HDR], vh->tx_pay[slot], CAUSAL_PAY_ROOM);
	full = vh->tx_len[slot];
	vector = !!(opt[CAUSAL_TCPOPT_OFF_FLAGS] & CAUSAL_TCPOPT_F_VECTOR);
	/* a receive met an index never named to us: ask for all again */
	ask = vector && vh->rx_ask &&
	      opt[CAUSAL_TCPOPT_OFF_FLAGS] >> CAUSAL_TCPOPT_F_VERSION_SHIFT ==
	      CAUSAL_PAY_VEC_VERSION;
	if (ask)
		opt[CAUSAL_TCPOPT_OFF_FLAGS] |= CAUSAL_TCPOPT_F_ASK;
	len = full;
	for (i = 0; i < CAUSAL_PAY_FORMS && len; i++) {
		size = CAUSAL_TCPOPT_HDR + len;
		if (size > CAUSAL_TCPOPT_HDR + CAUSAL_PAY_MAX)
			break;
		/* hide the bound from the compiler so that the mask stays */
		barrier_var(size);
		size &= 63;
		if (size <= CAUSAL_TCPOPT_HDR)
			break;
		if (len < full && vector)
			opt[CAUSAL_TCPOPT_OFF_FLAGS] |= CAUSAL_TCPOPT_F_INCOMPLETE;
		opt[1] = size;
		if (!bpf_store_hdr_opt(skops, opt, size, 0)) {
			st->stamped_out++;
			if (ask)
				vh->rx_ask = 0;
			if (len < full && vector) {
				st->incomplete_out++;
				vh->tx_cut = 1;
			}
			return;
		}
		len = causal_pay_shorter(vector, len);
	}
	st->nospace_out++;
	if (vector)
		vh->tx_cut = 1;
}

/* Are the payloads of rx slot @i and @pay, both @len long, the same? */
static __always_inline int rx_same(struct causal_tcp_vec *vh, __u32 i,
				   const __u8 *pay, __u32 len)
{
	__u32 k;

	if (i >= CAUSAL_RX_SLOTS || vh->rx_len[i] != len)
		return 0;
	for (k = 0; k < CAUSAL_PAY_ROOM; k++)
		if (k < len && vh->rx_pay[i][k] != pay[k])
			return 0;
	return 1;
}

/*
 * Merge bytes [start, end) that came with @pay into the last of the full
 * history: a scalar takes the newer send's stamp and name (an upper bound),
 * a vector keeps the older entries (a lower bound); both are flagged.
 */
static __always_inline void rx_fold(struct causal_tcp_vec *vh, __u32 start,
				    __u32 end, const __u8 *pay, __u32 len)
{
	const __u32 last = CAUSAL_RX_SLOTS - 1;
	__u64 a, b;

	if (before32(vh->rx_end[last], end))
		vh->rx_end[last] = end;
	if (before32(start, vh->rx_start[last]))
		vh->rx_start[last] = start;
	if (!((vh->rx_pay[last][0] | pay[0]) & CAUSAL_TCPOPT_F_VECTOR)) {
		a = causal_wire_get64(&vh->rx_pay[last][CAUSAL_PAY_STAMP]);
		b = causal_wire_get64(&pay[CAUSAL_PAY_STAMP]);
		if (a <= b) {
			__builtin_memcpy(vh->rx_pay[last], pay, CAUSAL_PAY_ROOM);
			vh->rx_len[last] = len;
		}
	}
	/* a whole stamp of the older send is not the newer one's */
	vh->rx_pay[last][0] = (vh->rx_pay[last][0] | CAUSAL_TCPOPT_F_INEXACT) &
			      ~CAUSAL_TCPOPT_F_WHOLE;
}

/*
 * Remember that bytes [start, end) came with payload @pay.  A range that
 * continues the last one with the same payload extends it (the segments of
 * one send).  With no slot left it is merged into the last one, flagged
 * inexact: a scalar keeps the larger stamp (an upper bound), a vector the
 * older entries (a lower bound), as Documentation/causal.rst explains.
 */
static __always_inline void rx_push(struct causal_tcp_vec *vh, __u32 start,
				    __u32 end, const __u8 *pay, __u32 len)
{
	__u32 n = vh->rx_count, last;

	if (n > CAUSAL_RX_SLOTS) {
		vh->rx_count = 0;
		n = 0;
	}
	if (n) {
		last = n - 1;
		barrier_var(last);
		if (last >= CAUSAL_RX_SLOTS)
			return;
		if (vh->rx_end[last] == start && rx_same(vh, last, pay, len)) {
			vh->rx_end[last] = end;
			return;
		}
		if (n == CAUSAL_RX_SLOTS) {
			rx_fold(vh, start, end, pay, len);
			return;
		}
	}
	barrier_var(n);
	if (n >= CAUSAL_RX_SLOTS)
		return;
	vh->rx_start[n] = start;
	vh->rx_end[n] = end;
	vh->rx_len[n] = len;
	__builtin_memcpy(vh->rx_pay[n], pay, CAUSAL_PAY_ROOM);
	vh->rx_count = n + 1;
}

#define CLOCK_MASK	((1ULL << CAUSAL_PAY_CLOCK_BITS) - 1)

/*
 * A scalar clock came with bytes up to @end: keep the largest (low 56 bits,
 * compared as serial numbers: the module restores the top bits, or takes
 * them from a @whole 64-bit stamp) and how far bytes that came with one
 * reach.
 */
static __always_inline void take_clock(struct causal_tcp_state *st, __u32 end, __u64 stamp,
				       int whole)
{
	__u64 c = stamp & CLOCK_MASK, d;

	d = (c - st->rx_clock) & CLOCK_MASK;
	if (!st->rx_clocked || (d && d < 1ULL << (CAUSAL_PAY_CLOCK_BITS - 1))) {
		st->rx_clock = c;
		st->rx_top = stamp >> CAUSAL_PAY_CLOCK_BITS;
		st->rx_top_known = whole;
	}
	if (!st->rx_clocked || before32(st->rx_clock_end, end))
		st->rx_clock_end = end;
	st->rx_clocked = 1;
}

/*
 * A scalar stamp: its clock, and the send the forms with an event number
 * name (an earlier version's send forms, the full form with the node's id).
 */
static __always_inline void take_scalar(struct causal_tcp_state *st, __u32 end,
					const __u8 *pay, __u32 plen)
{
	if (plen == CAUSAL_PAY_SCALAR_CLOCK) {
		take_clock(st, end, causal_wire_getn(&pay[CAUSAL_PAY_STAMP],
						     CAUSAL_PAY_CLOCK_BITS / 8), 0);
		return;
	}
	if (plen >= CAUSAL_PAY_SCALAR_KEYED) {
		st->rx_name_id32 = causal_wire_getn(&pay[CAUSAL_PAY_EVENT], 4);
		st->rx_name_node = plen == CAUSAL_PAY_SCALAR_FULL ?
				   causal_wire_get64(&pay[CAUSAL_PAY_NODE]) : 0;
		st->rx_name_end = end;
		st->rx_named = 1;
	}
	if (pay[0] & CAUSAL_TCPOPT_F_INEXACT)
		st->rx_inexact = 1;
	take_clock(st, end, causal_wire_get64(&pay[CAUSAL_PAY_STAMP]), 1);
}

/*
 * The same where the module keeps the connection: the module walks, checks,
 * counts and keeps a scalar stamp; a vector one, which a connection whose
 * node turned vector receives before its first vector event, goes into
 * its histories here.
 */
static __always_inline void own_parse(struct sock *sk, const __u8 *buf,
				      __u32 optlen, __u32 seq, __u32 payload)
{
	__u8 pay[CAUSAL_PAY_ROOM] = {};
	struct causal_tcp_vec *vh;
	__u32 i, off, plen;
	int r;

	r = causal_tcp_ops_parse(sk, (const struct causal_tcp_opts *)buf, optlen, seq, payload);
	if (r <= 0)
		return;
	off = (r >> 8) + CAUSAL_TCPOPT_HDR;
	plen = (r & 0xff) - CAUSAL_TCPOPT_HDR;
	for (i = 0; i < CAUSAL_PAY_MAX; i++)
		if (i < plen)
			pay[i] = buf[(off + i) & 63];
	vh = bpf_sk_storage_get(&causal_tcp_vec, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (vh && plen <= CAUSAL_PAY_MAX)
		rx_push(vh, seq, seq + payload, pay, plen);
}

/*
 * Find causal's option among the segment's options, check it, and record
 * its stamp for the segment's bytes.  Wrong lengths, options running past
 * the header, unknown versions and a second causal option are counted as
 * malformed, other experiments' options as foreign; either way the segment
 * is taken as unstamped.
 */
static __always_inline void parse_opt(struct bpf_sock_ops *skops, struct bpf_sock *bsk)
{
	__u8 *data = (void *)(long)skops->skb_data;
	void *end = (void *)(long)skops->skb_data_end;
	struct tcphdr *th = (void *)data;
	struct causal_tcp_state *st;
	struct causal_tcp_vec *vh;
	struct bpf_sock *sk;
	__u8 buf[64] = {}, pay[CAUSAL_PAY_ROOM] = {};
	__u32 hlen, optlen, payload, seq, i, off, plen;
	int vector;

	if ((void *)(th + 1) > end)
		return;
	hlen = th->doff * 4;
	if (hlen <= sizeof(*th))
		return;
	/*
	 * One fixed-size copy of the options: per-byte copies would give the
	 * verifier a state per header length.  [skb_data, skb_data_end) is
	 * the whole header, so only bytes below optlen are looked at.
	 */
	optlen = hlen - sizeof(*th);
	if ((void *)(data + hlen) > end || optlen > TCP_MAX_OPTS)
		return;
	payload = skops->skb_len > hlen ? skops->skb_len - hlen : 0;
	/* a SYN's bytes (TCP Fast Open) start after it */
	seq = bpf_ntohl(th->seq) + th->syn;
	st = state_of(bsk);
	if (!st) {
		if (own_sock(bsk) &&
		    !bpf_probe_read_kernel(buf, TCP_MAX_OPTS, data + sizeof(*th)))
			own_parse((struct sock *)bsk, buf, optlen, seq, payload);
		return;
	}
	if (bpf_probe_read_kernel(buf, TCP_MAX_OPTS, data + sizeof(*th)))
		return;

	causal_walk_opts(&st->walk, buf, optlen);
	st->foreign_in += CAUSAL_WALK(&st->walk, foreign);
	if (CAUSAL_WALK(&st->walk, bad) || !CAUSAL_WALK(&st->walk, len)) {
		st->malformed_in += CAUSAL_WALK(&st->walk, bad);
		return;
	}
	off = CAUSAL_WALK(&st->walk, ours) + CAUSAL_TCPOPT_HDR;
	plen = CAUSAL_WALK(&st->walk, len) - CAUSAL_TCPOPT_HDR;
	for (i = 0; i < CAUSAL_PAY_MAX; i++)
		if (i < plen)
			pay[i] = buf[(off + i) & 63];
	/* The version, and a length that is one of the forms. */
	if (!causal_tcp_pay_valid(pay, plen)) {
		st->malformed_in++;
		return;
	}
	vector = !!(pay[0] & CAUSAL_TCPOPT_F_VECTOR);
	vh = NULL;
	if (vector) {
		sk = bsk;
		vh = sk ? bpf_sk_storage_get(&causal_tcp_vec, sk, 0,
					     BPF_SK_STORAGE_GET_F_CREATE) : NULL;
		/* the peer lacks indexes we gave: the next send tells all */
		if (vh && (pay[0] & CAUSAL_TCPOPT_F_ASK) &&
		    pay[0] >> CAUSAL_TCPOPT_F_VERSION_SHIFT == CAUSAL_PAY_VEC_VERSION)
			vh->tx_asked = 1;
	}
	/* No payload, or bytes already received: nothing to attribute. */
	if (!payload || !before32(skops->rcv_nxt, seq + payload))
		return;
	st->stamped_in++;
	/* a scalar's clock; a vector, the stamp of the one send it holds */
	if (!vector) {
		take_scalar(st, seq + payload, pay, plen);
		return;
	}
	if (vh)
		rx_push(vh, seq, seq + payload, pay, plen);
}

SEC("sockops")
int causal_sockops(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;

	if (!skops->is_fullsock)
		sk = NULL;
	barrier_var(sk);
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		connecting(skops, sk);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		established(skops, sk);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		reserve(skops, sk);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		write_opt(skops, sk);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		established(skops, sk);
		/*
		 * The segment that completed the handshake: TCP does not
		 * parse the options of a segment that finds the socket in
		 * SYN_RECV, and hands it here instead.  It carries data when
		 * the peer's ACK was lost and its first send completed the
		 * handshake.  One call site of parse_opt() for the verifier.
		 */
		__attribute__((__fallthrough__));
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		if (causal_ablate == CAUSAL_ABLATE_NONE)
			parse_opt(skops, sk);
		break;
	}
	return 1;
}

/*
 * Sockets of the attached cgroup are marked when they are made, and TCP
 * ones get a record when they connect or are established; others are not
 * ours.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} causal_mark SEC(".maps");

#define SOCK_STREAM	1
#define SOCK_DGRAM	2

SEC("cgroup/sock_create")
int causal_sock_create(struct bpf_sock *sk)
{
	if ((sk->type == SOCK_DGRAM && sk->protocol == IPPROTO_UDP) ||
	    (sk->type == SOCK_STREAM && sk->protocol == IPPROTO_TCP))
		bpf_sk_storage_get(&causal_mark, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	return 1;
}

/*
 * The histories of a connection that turned out to be a vector one (made
 * if it has none: a receive before the first stamp came), or NULL.
 */
static __always_inline struct causal_tcp_vec *vec_of(struct sock *sk)
{
	return bpf_sk_storage_get(&causal_tcp_vec, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
}

/* The same, made by no one: only a vector connection has them. */
static __always_inline struct causal_tcp_vec *vec_known(struct sock *sk)
{
	return bpf_sk_storage_get(&causal_tcp_vec, sk, 0, 0);
}

/*
 * A record for a socket of the cgroup; the mark's memory goes, the record
 * says it from now on.  NULL for others.
 */
static __always_inline struct causal_tcp_state *new_record(struct sock *sk)
{
	struct causal_tcp_state *st;

	if (!bpf_sk_storage_get(&causal_mark, sk, 0, 0))
		return NULL;
	st = record_of(sk, 1);
	if (st)
		bpf_sk_storage_delete(&causal_mark, sk);
	return st;
}

/* The same where the module keeps connections: it makes their state. */
static __always_inline void new_own(struct sock *sk)
{
	if (bpf_sk_storage_get(&causal_mark, sk, 0, 0) && !causal_tcp_own_new(sk))
		bpf_sk_storage_delete(&causal_mark, sk);
}

/*
 * Where the module keeps the connections, a scalar send or receive calls it
 * once, with the socket alone: the vector way, with a record and the
 * histories in storage, only for connections that have them or once the
 * module says the node's clock is a vector (-EAGAIN).
 */
static __always_inline int own_send(struct sock *sk)
{
	struct causal_tcp_vec *vh = vec_known(sk);
	struct causal_tcp_state *st;
	int ret = -EAGAIN;

	if (!vh)
		ret = causal_tcp_send_own(sk);
	if (ret != -EAGAIN)
		return ret;
	st = record_of(sk, 1);
	if (!vh)
		vh = vec_of(sk);
	if (st && vh)
		causal_tcp_send_vec(sk, st, vh);
	return 0;
}

static __always_inline void own_recv(struct sock *sk, int copied, int since)
{
	struct causal_tcp_vec *vh = vec_known(sk);
	struct causal_tcp_state *st;
	int ret = -EAGAIN;

	if (!vh)
		ret = since ? causal_tcp_read_own(sk) : causal_tcp_recv_own(sk, copied);
	if (ret != -EAGAIN)
		return;
	st = record_of(sk, 1);
	if (!vh)
		vh = vec_of(sk);
	if (!st || !vh)
		return;
	if (since)
		causal_tcp_read_vec(sk, st, vh);
	else
		causal_tcp_recv_vec(sk, st, vh, copied);
}

static __always_inline void on_send(struct sock *sk, struct msghdr *msg)
{
	struct causal_tcp_state *st = NULL;
	struct causal_tcp_vec *vh;
	int state, connects;

	if (causal_own_records) {
		if (own_send(sk) != -ENOENT)
			return;
	} else {
		st = record_of(sk, 0);
		if (st)
			goto send;
	}

	/*
	 * A send that connects (MSG_FASTOPEN, or the first after a connect
	 * that TCP_FASTOPEN_CONNECT deferred): its record starts now, so that
	 * its stamp can go out in the SYN.
	 */
	state = sk->__sk_common.skc_state;
	connects = (msg && (msg->msg_flags & MSG_FASTOPEN) && state == TCP_CLOSE) ||
		   state == TCP_SYN_SENT;
	if (!connects)
		return;
	if (causal_own_records) {
		new_own(sk);
		own_send(sk);
		return;
	}
	st = new_record(sk);
	if (!st)
		return;
send:
	/* a node with vector clocks says so at the first send */
	if (st->pay_vector || causal_tcp_send(sk, st) == -EAGAIN) {
		vh = vec_of(sk);
		if (vh)
			causal_tcp_send_vec(sk, st, vh);
	}
}

/* Only a send whose event is being reported needs the module at its end. */
static __always_inline void on_sent(struct sock *sk, int ret)
{
	struct causal_tcp_state *st;

	/* the module looks only while someone listens */
	if (causal_own_records) {
		causal_tcp_sent_own(sk, ret);
		return;
	}
	st = record_of(sk, 0);
	if (st && st->send_note)
		causal_tcp_sent(sk, st, ret);
}

static __always_inline void on_recv(struct sock *sk, int copied)
{
	struct causal_tcp_state *st;
	struct causal_tcp_vec *vh;

	if (copied <= 0)
		return;
	if (causal_own_records) {
		own_recv(sk, copied, 0);
		return;
	}
	st = record_of(sk, 0);
	if (!st)
		return;
	if (st->pay_vector || causal_tcp_recv(sk, st, copied) == -EAGAIN) {
		vh = vec_of(sk);
		if (vh)
			causal_tcp_recv_vec(sk, st, vh, copied);
	}
}

/* An application hands data to a socket: sendmsg, write, sendfile. */
SEC("fentry/tcp_sendmsg_locked")
int BPF_PROG(causal_send, struct sock *sk, struct msghdr *msg)
{
	on_send(sk, msg);
	return 0;
}

/* The same through sendpage, which Linux 6.1 still has (loaded only there). */
SEC("fentry/do_tcp_sendpages")
int BPF_PROG(causal_sendpage, struct sock *sk)
{
	on_send(sk, NULL);
	return 0;
}

/* A send is over: how many bytes it queued. */
SEC("fexit/tcp_sendmsg_locked")
int BPF_PROG(causal_sent, struct sock *sk, struct msghdr *msg, size_t size, int ret)
{
	on_sent(sk, ret);
	return 0;
}

SEC("fexit/do_tcp_sendpages")
int BPF_PROG(causal_sentpage, struct sock *sk, struct page *page, int offset,
	     size_t size, int flags, ssize_t ret)
{
	on_sent(sk, ret);
	return 0;
}

/*
 * A connect of a socket of the cgroup sent its SYN: its record starts (or
 * goes on, when a connect that failed is tried again).
 */
SEC("fexit/tcp_connect")
int BPF_PROG(causal_connect, struct sock *sk, int ret)
{
	struct causal_tcp_state *st;

	if (ret)
		return 0;
	if (causal_own_records) {
		new_own(sk);
		causal_tcp_connect_own(sk);
		return 0;
	}
	st = record_of(sk, 0);
	if (!st)
		st = new_record(sk);
	if (st)
		causal_tcp_connect(sk, st);
	return 0;
}

/*
 * An application accepted a connection (the new socket got its record when
 * it was established).  Only the first two arguments are read: the others
 * differ between kernels.
 */
SEC("fexit/inet_accept")
int BPF_PROG(causal_accept, struct socket *sock, struct socket *newsock)
{
	struct causal_tcp_state *st;
	struct sock *sk = newsock->sk;

	if (!sk)
		return 0;
	if (causal_own_records) {
		causal_tcp_accept_own(sk);
		return 0;
	}
	st = record_of(sk, 0);
	if (st)
		causal_tcp_accept(sk, st);
	return 0;
}

/* An application closes a TCP or UDP socket of ours. */
SEC("fentry/inet_release")
int BPF_PROG(causal_release, struct socket *sock)
{
	struct sock *sk = sock->sk;

	/* where the module keeps connections, it knows its TCP sockets */
	if (sk && ((causal_own_records && sk->sk_protocol == IPPROTO_TCP &&
		    sk->sk_type == SOCK_STREAM) ||
		   record_of(sk, 0) || bpf_sk_storage_get(&causal_mark, sk, 0, 0)))
		causal_sock_close(sk);
	return 0;
}

/* An application takes data out: recvmsg, read (not MSG_PEEK). */
SEC("fexit/tcp_recvmsg_locked")
int BPF_PROG(causal_recv, struct sock *sk, struct msghdr *msg, size_t len,
	     int flags, struct scm_timestamping_internal *tss, int *cmsg_flags,
	     int ret)
{
	if (!(flags & MSG_PEEK))
		on_recv(sk, ret);
	return 0;
}

/*
 * The other ways bytes leave a socket's receive queue report what they took
 * since the socket's last receive (nothing twice, where they nest).
 */
static __always_inline void on_read(struct sock *sk)
{
	struct causal_tcp_state *st;
	struct causal_tcp_vec *vh;

	if (causal_own_records) {
		own_recv(sk, 0, 1);
		return;
	}
	st = record_of(sk, 0);
	if (!st)
		return;
	if (st->pay_vector || causal_tcp_read(sk, st) == -EAGAIN) {
		vh = vec_of(sk);
		if (vh)
			causal_tcp_read_vec(sk, st, vh);
	}
}

/* splice out of the socket, and the kernel's own readers */
SEC("fexit/tcp_read_sock")
int BPF_PROG(causal_read, struct sock *sk)
{
	on_read(sk);
	return 0;
}

/* Its body, where the kernel has one apart (tcp_read_sock then is inlined). */
SEC("fexit/__tcp_read_sock")
int BPF_PROG(causal_read_body, struct sock *sk)
{
	on_read(sk);
	return 0;
}

/* Kernel TLS takes a record it decrypted. */
SEC("fexit/tcp_read_done")
int BPF_PROG(causal_read_done, struct sock *sk)
{
	on_read(sk);
	return 0;
}

/* getsockopt(TCP_ZEROCOPY_RECEIVE): pages mapped, the rest copied. */
SEC("fexit/tcp_zerocopy_receive")
int BPF_PROG(causal_read_zerocopy, struct sock *sk)
{
	on_read(sk);
	return 0;
}

SEC("fentry/tcp_v4_destroy_sock")
int BPF_PROG(causal_close, struct sock *sk)
{
	struct causal_tcp_state *st = record_of(sk, 0);

	if (st)
		causal_tcp_close(sk, st);
	return 0;
}

/*
 * UDP.  A socket of the attached cgroup is marked when it is made (UDP has
 * no connection to be established); its datagrams are stamped and their
 * stamps merged by the module (kmod/udp.c).
 */

extern int causal_udp_send(struct sk_buff *skb) __ksym;
extern int causal_udp_rx(struct sk_buff *skb) __ksym;
extern int causal_udp_recv(struct sock *sk, struct sk_buff *skb) __ksym;
extern int causal_udp_send_wire(struct sk_buff *skb) __ksym;
extern int causal_udp_recv_wire(struct sock *sk, struct sk_buff *skb) __ksym;

/*
 * A datagram leaves: the module stamps those of the cgroup's sockets (and
 * gives a socket its state on its first).  Only skbs of a socket can be
 * (the field access also gives the object the type of sk_buff, which the
 * kfuncs' prototypes need).
 */
static __always_inline void udp_out(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	if (causal_ablate == CAUSAL_ABLATE_EMPTY)
		return;
	if (!sk || !bpf_sk_storage_get(&causal_mark, sk, 0, 0))
		return;
	if (causal_ablate == CAUSAL_ABLATE_WIRE)
		causal_udp_send_wire(skb);
	else
		causal_udp_send(skb);
}

SEC("fentry/ip_send_skb")
int BPF_PROG(causal_udp_out, struct net *net, struct sk_buff *skb)
{
	udp_out(skb);
	return 0;
}

SEC("fentry/ip6_send_skb")
int BPF_PROG(causal_udp_out6, struct sk_buff *skb)
{
	udp_out(skb);
	return 0;
}

/* A datagram arrives, its surplus area still there. */
SEC("fentry/udp_rcv")
int BPF_PROG(causal_udp_in, struct sk_buff *skb)
{
	if (causal_ablate != CAUSAL_ABLATE_EMPTY)
		causal_udp_rx(skb);
	return 0;
}

SEC("fentry/udpv6_rcv")
int BPF_PROG(causal_udp_in6, struct sk_buff *skb)
{
	if (causal_ablate != CAUSAL_ABLATE_EMPTY)
		causal_udp_rx(skb);
	return 0;
}

/* An application takes a datagram (not MSG_PEEK, which passes len < 0). */
SEC("fentry/skb_consume_udp")
int BPF_PROG(causal_udp_read, struct sock *sk, struct sk_buff *skb, int len)
{
	if (causal_ablate == CAUSAL_ABLATE_EMPTY || len < 0 ||
	    !bpf_sk_storage_get(&causal_mark, sk, 0, 0))
		return 0;
	if (causal_ablate == CAUSAL_ABLATE_WIRE)
		causal_udp_recv_wire(sk, skb);
	else
		causal_udp_recv(sk, skb);
	return 0;
}
