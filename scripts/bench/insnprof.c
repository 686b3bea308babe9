// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof.c - a QEMU TCG plugin that counts the instructions a guest
 * executes, per kernel code address, for make profile.
 *
 * Every translated block of kernel code gets a counter that its every
 * execution increments (an inline add, no call); the instructions are that
 * count times the block's length, summed per block start.  User code is
 * counted as one sum.  Each time the guest executes the marker instruction
 * (xchg %bx,%bx, which changes nothing: scripts/bench/mark.c), the counts
 * so far go to OUT.N, N counting from 0; at exit, to OUT.  The guest's
 * /proc/kallsyms names the addresses (scripts/bench/profile.py).
 *
 * Load: qemu-system-x86_64 -plugin insnprof.so,out=PATH ...  Written for
 * the plugin API of QEMU 7.2 (version 1), whose header Debian does not
 * ship: the declarations below are that API's.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
};

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

/* The kernel's half of the x86-64 address space. */
#define KERNEL_START 0xffff800000000000ull

static const unsigned char marker[] = { 0x66, 0x87, 0xdb };	/* xchg %bx,%bx */

/* One translation of a block of kernel code; a block can be translated again. */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t execs;
	struct block *next;
};

static struct block *blocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t user_insns;
static const char *out = "insnprof.out";
static int snapshots;

static void dump(const char *path)
{
	struct block *b;
	FILE *f;

	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "user %" PRIu64 "\n", __atomic_load_n(&user_insns, __ATOMIC_RELAXED));
	pthread_mutex_lock(&lock);
	for (b = blocks; b; b = b->next) {
		uint64_t n = __atomic_load_n(&b->execs, __ATOMIC_RELAXED);

		if (n)
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", b->vaddr, n * b->insns);
	}
	pthread_mutex_unlock(&lock);
	fclose(f);
}

static void on_marker(unsigned int vcpu, void *udata)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s.%d", out, snapshots++);
	dump(path);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	if (vaddr < KERNEL_START) {
		for (i = 0; i < n; i++) {
			struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

			if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
			    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
				qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker,
								       QEMU_PLUGIN_CB_NO_REGS, NULL);
		}
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &user_insns, n);
		return;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return;
	b->vaddr = vaddr;
	b->insns = n;
	pthread_mutex_lock(&lock);
	b->next = blocks;
	blocks = b;
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->execs, 1);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
	dump(out);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			       int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out = strdup(argv[i] + 4);
			if (!out)
				return -1;
		} else {
			fprintf(stderr, "insnprof: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
