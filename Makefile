# SPDX-License-Identifier: GPL-2.0
#
# causal - logical clocks for sockets, kept by the kernel.
#
#   make              kmod/causal.ko for every installed kernel, the BPF objects
#                     and skeletons, user/causalctl
#   make check        all tests: on the host, then in guests on every kernel
#   make check-debug  the guest tests on a KASAN, lockdep, kmemleak kernel
#   make demo         boot a guest and show what causal does
#   make bench        benchmarks in one guest per kernel (the oracle at size)
#   make profile      instructions per UDP datagram, per kernel function
#   make vm           interactive shell in a guest with the module built
#   make deps         install the Debian packages the build and tests need
#   make regen        regenerate the netlink code from its YAML spec
#   make install      the module for the running kernel, causalctl, its man
#                     page and completion, the Wireshark dissector (uninstall)
#   make dkms-install the module through DKMS, for every supported kernel
#                     installed and those to come, and the rest (dkms-uninstall)
#
#   KERNELRELEASE=R   only kernel R (default: all with headers installed;
#                     install: the running kernel)
#   DESTDIR, PREFIX   where install puts files (PREFIX: /usr/local)
#   V=1               show the commands

.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
B := $(TOP)/build
PYTHON := /usr/bin/python3

KERNELS := $(shell $(TOP)/scripts/kernels.sh $(KERNELRELEASE) 2>/dev/null)
# BPF objects are CO-RE: built once, against the oldest kernel's BTF.
BPF_KERNEL := $(firstword $(KERNELS))
KSRC := $(B)/src/linux-source-$(shell $(TOP)/scripts/ksrc.sh --newest)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CC := gcc
CLANG := clang
BPFTOOL := bpftool
CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
CPPFLAGS := -I$(TOP)/include -I$(B)/bpf -I$(B)/user \
	$(shell pkg-config --cflags libnl-genl-3.0 libprotobuf-c libcurl 2>/dev/null)
LDLIBS := $(shell pkg-config --libs libnl-genl-3.0 libbpf libprotobuf-c libcurl 2>/dev/null)

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h include/*/*.h include/uapi/linux/*.h) Kbuild kmod/Kbuild
MODULES := $(foreach k,$(KERNELS),$(B)/$(k)/kmod/causal.ko)
INITRDS := $(foreach k,$(KERNELS),$(B)/$(k)/initramfs.cpio)
# what a test guest boots: the kernel image and an initramfs per kernel
GUESTS := $(INITRDS) $(foreach k,$(KERNELS),$(B)/$(k)/vmlinux)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.skel.h,$(BPF_SRCS))

USER_SRCS := $(wildcard user/*.c)
# and the OTLP messages protoc-c makes from user/otlp.proto
USER_OBJS := $(patsubst user/%.c,$(B)/user/%.o,$(USER_SRCS)) $(B)/user/otlp.pb-c.o

KSFT_INC := $(KSRC)/tools/testing/selftests
ST_C := $(wildcard selftests/*.c)
ST_BINS := $(patsubst selftests/%.c,$(B)/selftests/%,$(ST_C))
ST_BPF_SRCS := $(wildcard selftests/bpf/*.bpf.c)
ST_BPF_SKELS := $(patsubst selftests/bpf/%.bpf.c,$(B)/selftests/bpf/%.skel.h,$(ST_BPF_SRCS))
HOST_C := $(wildcard selftests/host/*.c)
HOST_BINS := $(patsubst selftests/host/%.c,$(B)/selftests/host/%,$(HOST_C))

.PHONY: all modules bpf user selftests check check-debug demo vm deps ensure-deps regen \
	clean bench profile _check _check-debug _demo _bench _profile help install uninstall install-module \
	uninstall-module install-user uninstall-user dkms-install dkms-uninstall

all: modules bpf user

help:
	@sed -n '3,24s/^# \{0,1\}//p' $(TOP)/Makefile

define need_kernels
	@if [ -z "$(KERNELS)" ]; then \
		echo "no kernel to build for$(if $(KERNELRELEASE), (KERNELRELEASE=$(KERNELRELEASE) has no headers)): run 'make deps' first" >&2; \
		exit 1; \
	fi
endef

# --- kernel module, one tree per kernel under build/RELEASE -----------------

modules: $(MODULES)
	$(need_kernels)

$(B)/%/kmod/causal.ko: $(KMOD_SRCS) scripts/kbuild.sh scripts/kdir.sh
	$(call msg,KMOD,$*)
	$(Q)$(TOP)/scripts/kbuild.sh $(B) $* $(if $(filter 1,$(V)),V=1,-s)

$(B)/%/vmlinux:
	$(call msg,VMLINUX,$*)
	$(Q)$(TOP)/scripts/kdir.sh --vmlinux $(B) $* > /dev/null

$(B)/%/initramfs.cpio: scripts/vm/initramfs.sh scripts/vm/init
	$(call msg,INITRD,$*)
	$(Q)mkdir -p $(dir $@) && $(TOP)/scripts/vm/initramfs.sh $* $@

$(KSRC)/.complete:
	$(call msg,UNPACK,$(notdir $(KSRC)))
	$(Q)$(TOP)/scripts/ksrc.sh $(B)/src $(patsubst linux-source-%,%,$(notdir $(KSRC)))

# --- BPF objects and skeletons ---------------------------------------------

bpf: $(BPF_OBJS) $(BPF_SKELS)

$(B)/bpf/vmlinux.h: | $(B)/$(BPF_KERNEL)/vmlinux
	$(call msg,GEN,$(notdir $@))
	$(Q)mkdir -p $(dir $@)
	$(Q)$(BPFTOOL) btf dump file $(B)/$(BPF_KERNEL)/vmlinux format c > $@

$(B)/bpf/%.tmp.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/*/*.h include/uapi/linux/*.h) $(B)/bpf/vmlinux.h
	$(call msg,BPF,$(notdir $<))
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
		-I$(B)/bpf -I$(TOP)/include -I$(TOP)/bpf -c $< -o $@

$(B)/bpf/%.bpf.o: $(B)/bpf/%.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $<

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	$(call msg,SKEL,$(notdir $@))
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# --- causalctl -------------------------------------------------------------

user: user/causalctl

user/causalctl: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/user/%.o: user/%.c $(BPF_SKELS) $(B)/user/otlp.pb-c.h
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(B)/user/otlp.pb-c.c $(B)/user/otlp.pb-c.h &: user/otlp.proto
	$(call msg,PROTOC,$<)
	$(Q)mkdir -p $(B)/user
	$(Q)protoc-c --proto_path=user --c_out=$(B)/user otlp.proto

$(B)/user/otlp.pb-c.o: $(B)/user/otlp.pb-c.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -c $< -o $@

-include $(USER_OBJS:.o=.d)

# --- tests -----------------------------------------------------------------

# The OpenTelemetry project's OTLP definitions, which the tests' collector
# decodes with (selftests/otlp): from the npm registry, once.  Without them
# the OTLP cases skip, saying why.
OTLP_JS := $(B)/npm/node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js

selftests: $(ST_BINS) $(HOST_BINS) $(GUESTS) $(OTLP_JS)

$(OTLP_JS):
	$(call msg,NPM,otlp-transformer)
	-$(Q)$(TOP)/selftests/otlp/fetch.sh $(B)/npm

$(B)/selftests/%: selftests/%.c $(KSRC)/.complete $(wildcard selftests/*.h) $(ST_BPF_SKELS) \
		   $(wildcard include/*/*.h include/uapi/linux/*.h)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Wno-unused-parameter -Wno-clobbered -Wno-sign-compare $(CPPFLAGS) \
		-I$(KSFT_INC) -I$(B)/selftests/bpf -o $@ $< $(LDLIBS) -lpthread

# causal_peer takes messages through io_uring too
$(B)/selftests/causal_peer: LDLIBS += -luring

# what causalctl reads from cgroups' paths, tested on its own
$(B)/selftests/host/cgname_test: user/cgname.c user/cgname.h
$(B)/selftests/host/cgname_test: LDLIBS += user/cgname.c

# BPF objects of the tests (programs that misuse causal, on purpose)
.SECONDARY: $(ST_BPF_SKELS:.skel.h=.bpf.o) $(ST_BPF_SKELS:.skel.h=.tmp.o)

$(B)/selftests/bpf/%.tmp.o: selftests/bpf/%.bpf.c $(wildcard include/*/*.h include/uapi/linux/*.h) $(B)/bpf/vmlinux.h
	$(call msg,BPF,$(notdir $<))
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
		-I$(B)/bpf -I$(TOP)/include -c $< -o $@

$(B)/selftests/bpf/%.bpf.o: $(B)/selftests/bpf/%.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $<

$(B)/selftests/bpf/%.skel.h: $(B)/selftests/bpf/%.bpf.o
	$(call msg,SKEL,$(notdir $@))
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

check: ensure-deps
	$(Q)$(MAKE) --no-print-directory _check

_check: all selftests
	$(need_kernels)
	$(Q)$(TOP)/selftests/check.sh $(KERNELS)

# The suite on a kernel with KASAN, lockdep and kmemleak, built once from
# Debian's linux-source (scripts/debug-kernel.sh); about ten times slower.
check-debug: ensure-deps
	$(Q)$(MAKE) --no-print-directory _check-debug

_check-debug: bpf user selftests
	$(Q)rel=$$($(TOP)/scripts/debug-kernel.sh $(B)) && \
	$(TOP)/scripts/kbuild.sh $(B) $$rel $(if $(filter 1,$(V)),V=1,-s) && \
	CAUSAL_CHECK_HOST=0 CAUSAL_CHECK_OUT=$(B)/check-debug \
	CAUSAL_GUEST_TIMEOUT=$${CAUSAL_GUEST_TIMEOUT:-14400} \
	CAUSAL_TEST_TIMEOUT=$${CAUSAL_TEST_TIMEOUT:-3000} CAUSAL_TEST_SLOW=$${CAUSAL_TEST_SLOW:-5} \
	$(TOP)/selftests/check.sh $$rel

bench: ensure-deps
	$(Q)$(MAKE) --no-print-directory _bench

_bench: all selftests $(B)/bench/otlp_encode
	$(need_kernels)
	$(Q)$(TOP)/scripts/bench.sh $(KERNELS)

# What the live OTLP stream costs the reader of the events: its code,
# timed on the host (scripts/bench/otlp.sh).
$(B)/bench/otlp_encode: scripts/bench/otlp_encode.c $(filter-out $(B)/user/causalctl.o,$(USER_OBJS))
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -I$(TOP)/user -o $@ $^ $(LDLIBS)

# Where the instructions of a UDP datagram go, function by function: a QEMU
# plugin counts them in an instruction-counted guest (scripts/profile.sh).
PROFILE_BINS := $(B)/bench/insnprof.so $(B)/bench/mark

$(B)/bench/insnprof.so: scripts/bench/insnprof.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -shared -fPIC -fvisibility=hidden \
		-o $@ $< -lpthread

$(B)/bench/mark: scripts/bench/mark.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -o $@ $<

profile: ensure-deps
	$(Q)$(MAKE) --no-print-directory _profile

_profile: all $(GUESTS) $(PROFILE_BINS)
	$(need_kernels)
	$(Q)$(TOP)/scripts/profile.sh $(KERNELS)

demo: ensure-deps
	$(Q)$(MAKE) --no-print-directory _demo

_demo: all $(GUESTS)
	$(need_kernels)
	$(Q)$(TOP)/scripts/vm/run -c -k $(lastword $(KERNELS)) -t 300 -r $(B)/demo \
		$(TOP)/scripts/demo.sh

vm: all $(GUESTS)
	$(need_kernels)
	$(Q)$(TOP)/scripts/vm/run -i -k $(lastword $(KERNELS))

# --- install ---------------------------------------------------------------
#
# "make && sudo make install": nothing is built here, so that root writes
# nothing under build/.  Wireshark reads Lua plugins from one global folder
# whatever the prefix; bash-completion finds PREFIX/share through
# XDG_DATA_DIRS.

VERSION := $(shell sed -n 's/^\#define CAUSAL_RELEASE "\(.*\)"/\1/p' $(TOP)/include/causal/version.h)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
WIRESHARKDIR ?= /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/wireshark/plugins
INSTALL_KREL := $(or $(KERNELRELEASE),$(shell uname -r))
MODDIR ?= /lib/modules/$(INSTALL_KREL)/updates
DEPMOD ?= /sbin/depmod
DKMS ?= dkms
DKMS_SRC ?= /usr/src
DKMS_FILES := Makefile Kbuild dkms.conf $(wildcard kmod/Kbuild kmod/*.[ch] include/*/*.h \
	include/uapi/linux/*.h) scripts/kbuild.sh scripts/kdir.sh scripts/kernels.sh scripts/ksrc.sh
USER_FILES := $(DESTDIR)$(SBINDIR)/causalctl $(DESTDIR)$(MANDIR)/man8/causalctl.8 \
	$(DESTDIR)$(BASHCOMPDIR)/causalctl $(DESTDIR)$(WIRESHARKDIR)/causal.lua

# depmod: in DESTDIR too (-b), as the kernel's modules_install does
define depmod
	$(Q)if [ -d $(DESTDIR)/lib/modules/$(INSTALL_KREL) ]; then \
		$(DEPMOD) -a $(if $(DESTDIR),-b $(DESTDIR)) $(INSTALL_KREL); fi
endef

install: install-module install-user

uninstall: uninstall-module uninstall-user

install-module:
	$(Q)if [ ! -f $(B)/$(INSTALL_KREL)/kmod/causal.ko ]; then \
		echo "install: no causal.ko built for kernel $(INSTALL_KREL) (built:$(foreach k,$(KERNELS), $(if $(wildcard $(B)/$(k)/kmod/causal.ko),$(k))));" \
			"run make first, or choose one with KERNELRELEASE=" >&2; \
		exit 1; \
	fi
	$(call msg,INSTALL,$(DESTDIR)$(MODDIR)/causal.ko)
	$(Q)install -D -m 644 $(B)/$(INSTALL_KREL)/kmod/causal.ko $(DESTDIR)$(MODDIR)/causal.ko
	$(depmod)

uninstall-module:
	$(call msg,REMOVE,$(DESTDIR)$(MODDIR)/causal.ko)
	$(Q)rm -f $(DESTDIR)$(MODDIR)/causal.ko
	$(depmod)

install-user:
	$(Q)if [ ! -x user/causalctl ]; then \
		echo "install: user/causalctl is not built: run make first" >&2; exit 1; fi
	$(call msg,INSTALL,$(USER_FILES))
	$(Q)install -D -m 755 user/causalctl $(DESTDIR)$(SBINDIR)/causalctl
	$(Q)install -D -m 644 Documentation/causalctl.8 $(DESTDIR)$(MANDIR)/man8/causalctl.8
	$(Q)install -D -m 644 scripts/completion/causalctl $(DESTDIR)$(BASHCOMPDIR)/causalctl
	$(Q)install -D -m 644 scripts/wireshark/causal.lua $(DESTDIR)$(WIRESHARKDIR)/causal.lua

uninstall-user:
	$(call msg,REMOVE,$(USER_FILES))
	$(Q)rm -f $(USER_FILES)

# The sources DKMS builds from go to DKMS_SRC/causal-VERSION; dkms.conf
# limits them to the kernels causal is tested on (dkms exits 77 for others).
dkms-install: install-user
	$(call msg,DKMS,$(DKMS_SRC)/causal-$(VERSION))
	$(Q)rm -rf $(DKMS_SRC)/causal-$(VERSION)
	$(Q)for f in $(DKMS_FILES); do \
		install -D -m $$([ -x $$f ] && echo 755 || echo 644) $$f $(DKMS_SRC)/causal-$(VERSION)/$$f || exit 1; \
	done
	$(Q)sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' $(DKMS_SRC)/causal-$(VERSION)/dkms.conf
	$(Q)$(DKMS) status -m causal -v $(VERSION) | grep -q . || $(DKMS) add causal/$(VERSION)
	$(Q)for k in $(KERNELS); do \
		$(DKMS) install causal/$(VERSION) -k $$k; rc=$$?; \
		[ $$rc = 0 ] || [ $$rc = 77 ] || exit $$rc; \
	done

dkms-uninstall: uninstall-user
	$(call msg,DKMS,remove causal/$(VERSION))
	$(Q)if $(DKMS) status -m causal -v $(VERSION) | grep -q .; then \
		$(DKMS) remove causal/$(VERSION) --all; fi
	$(Q)rm -rf $(DKMS_SRC)/causal-$(VERSION)

# --- set-up and maintenance --------------------------------------------------

deps:
	$(Q)$(TOP)/scripts/deps.sh install

ensure-deps:
	$(Q)$(TOP)/scripts/deps.sh ensure

regen: $(KSRC)/.complete
	$(Q)$(PYTHON) $(TOP)/scripts/ynl-gen.py --ynl $(KSRC)/tools/net/ynl

clean:
	$(call msg,CLEAN,build user/causalctl)
	$(Q)rm -rf $(B) user/causalctl

.SECONDARY: $(BPF_OBJS:.bpf.o=.tmp.o)
