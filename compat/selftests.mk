# Compiles the kernel's BPF selftest programs (tools/testing/selftests/bpf/progs/*.c) one object per file,
# with the flags of that tree's own Makefile (CLANG_BPF_BUILD_RULE, test_progs flavour) except -Werror:
# clang-19 warns about things the 6.1 tree predates, and a warning is no reason to leave a program out.
# A file that does not compile leaves OUT/NAME.err (clang's first error line is the reason) instead of an object.
#
# Usage: make -j2 -f compat/selftests.mk SELFTESTS=.../selftests/bpf LIBBPF_INCLUDE=... VMLINUX_DIR=... OUT=...
CLANG ?= clang-19
SELFTESTS ?= $(error SELFTESTS is the kernel tree's tools/testing/selftests/bpf)
LIBBPF_INCLUDE ?= $(error LIBBPF_INCLUDE holds bpf/bpf_helpers.h)
VMLINUX_DIR ?= $(error VMLINUX_DIR holds vmlinux.h)
OUT ?= $(error OUT is the output directory)
# The tree's tools/include/uapi, then the system's headers after everything else (the selftests' get_sys_includes).
APIDIR := $(abspath $(SELFTESTS)/../../../include/uapi)
SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
CFLAGS := -g -D__TARGET_ARCH_x86 -mlittle-endian -I$(VMLINUX_DIR) -I$(LIBBPF_INCLUDE) -I$(SELFTESTS) -I$(APIDIR) \
  $(SYS_INCLUDES) -Wno-compare-distinct-pointer-types -DENABLE_ATOMICS_TESTS -O2 -target bpf -mcpu=v3
# The two the tree builds without inlining.
NOINLINE := test_l4lb_noinline test_xdp_noinline

SOURCES := $(wildcard $(SELFTESTS)/progs/*.c)
OBJECTS := $(patsubst $(SELFTESTS)/progs/%.c,$(OUT)/%.bpf.o,$(SOURCES))

all: $(OBJECTS)

$(OUT)/%.bpf.o: $(SELFTESTS)/progs/%.c
	@if timeout 300 $(CLANG) $(CFLAGS) $(if $(filter $*,$(NOINLINE)),-fno-inline) -c $< -o $@.tmp 2>$(OUT)/$*.log; then \
	  mv $@.tmp $@; rm -f $(OUT)/$*.log $(OUT)/$*.err; \
	else \
	  rm -f $@.tmp; (grep -m1 -E 'error|fatal' $(OUT)/$*.log || echo "clang failed or timed out") >$(OUT)/$*.err; \
	fi

.PHONY: all
