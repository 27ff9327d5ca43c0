// SPDX-License-Identifier: GPL-2.0
// Externs the loader resolves against the running kernel: .kconfig values (from the kernel's config and
// uname), typed ksyms (BTF ids of vmlinux variables), untyped ksyms (kallsyms addresses), kfunc calls, and
// __weak ones that are missing (zero / not taken). See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

// enum libbpf_tristate comes from bpf_helpers.h.
// Our own spelling of "does this weak ksym exist": its address is not a compile-time constant.
#define KSYM_EXISTS(sym) (!!(sym))


extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern _Bool CONFIG_BPF __kconfig;
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_HZ __kconfig;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig;
extern enum libbpf_tristate CONFIG_BPFSHARP_MISSING __kconfig __weak;
extern __u64 CONFIG_BPFSHARP_MISSING_INT __kconfig __weak;
// A LINUX_ name libbpf does not define: zero when __weak (the kernel selftest test_core_extern has one).
extern __u64 LINUX_BPFSHARP_UNKNOWN __kconfig __weak;

extern const int bpf_prog_active __ksym;            // typed: a per-CPU variable of vmlinux BTF
extern const void __start_BTF __ksym;               // untyped: its address comes from kallsyms
extern const int bpfsharp_missing_var __ksym __weak;

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym __weak;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
extern void bpfsharp_missing_kfunc(void) __ksym __weak;

__u64 kernel_version, has_cookie, bpf_enabled, bpf_syscall, hz, missing_tristate, missing_int, unknown_linux = 1;
char hostname[16];
__u64 start_btf_addr, prog_active_seen, missing_var_addr, kfunc_sum, kfunc_exists, missing_kfunc_called;

SEC("syscall")
int read_kconfig(void *ctx)
{
	kernel_version = LINUX_KERNEL_VERSION;
	has_cookie = LINUX_HAS_BPF_COOKIE;
	bpf_enabled = CONFIG_BPF;
	bpf_syscall = CONFIG_BPF_SYSCALL;
	hz = CONFIG_HZ;
	missing_tristate = CONFIG_BPFSHARP_MISSING;
	missing_int = CONFIG_BPFSHARP_MISSING_INT;
	unknown_linux = LINUX_BPFSHARP_UNKNOWN;
	__builtin_memcpy(hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(hostname));
	return 0;
}

SEC("syscall")
int read_ksyms(void *ctx)
{
	start_btf_addr = (__u64)&__start_BTF;
	missing_var_addr = (__u64)&bpfsharp_missing_var;
	return 0;
}

// Autoload off: the kernel resolves a typed ksym's address through kallsyms, which lists data symbols only
// with CONFIG_KALLSYMS_ALL.
SEC("?syscall")
int read_typed_ksym(void *ctx)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	prog_active_seen = *active + 1;
	return 0;
}

// Autoload off: open-coded iterator kfuncs are Linux 6.4.
SEC("?syscall")
int call_kfuncs(void *ctx)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	kfunc_sum = sum;
	kfunc_exists = KSYM_EXISTS(bpf_iter_num_new);
	if (KSYM_EXISTS(bpfsharp_missing_kfunc)) {
		bpfsharp_missing_kfunc();
		missing_kfunc_called = 1;
	}
	return sum;
}
