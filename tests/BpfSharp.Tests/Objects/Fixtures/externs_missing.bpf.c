// SPDX-License-Identifier: GPL-2.0
// Externs that are missing and not __weak: loading must fail and name them. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int CONFIG_BPFSHARP_NOT_THERE __kconfig;
extern void bpfsharp_no_such_kfunc(void) __ksym;

__u64 seen;

SEC("syscall")
int use_missing(void *ctx)
{
	seen = CONFIG_BPFSHARP_NOT_THERE;
	bpfsharp_no_such_kfunc();
	return 0;
}
