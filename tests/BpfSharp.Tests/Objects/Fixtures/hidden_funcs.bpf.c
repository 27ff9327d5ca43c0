// SPDX-License-Identifier: GPL-2.0
// Global subprograms with restricted ELF visibility: hidden, weak hidden (as libbpf's usdt.bpf.h declares
// bpf_usdt_arg), and one with default visibility. A loader must make the first two static in
// the BTF it loads, so the verifier checks them in their caller's context. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Dereferences its argument without a null check: verified alone (global), the pointer may be null
 * ("invalid mem access 'mem_or_null'"); in the caller's context it is a stack slot. */
__hidden __noinline int hidden_add(__u64 *value)
{
	return *value + 1;
}

__weak __hidden __noinline int weak_hidden_add(__u64 *value)
{
	return *value + 2;
}

/* Default visibility: stays global, so it must be valid on its own. */
__noinline int visible_add(__u64 *value)
{
	if (!value)
		return 0;
	return *value + 4;
}

/* (40 + 1) + (40 + 2) + (40 + 4) = 127. */
SEC("xdp")
int call_hidden(struct xdp_md *ctx)
{
	__u64 v = 40;

	return hidden_add(&v) + weak_hidden_add(&v) + visible_add(&v);
}
