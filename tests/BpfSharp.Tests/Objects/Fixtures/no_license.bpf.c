// SPDX-License-Identifier: GPL-2.0
// An object without a license section: the loader must not declare one for it (libbpf sends an empty license),
// so the kernel refuses it GPL-only helpers. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Returns 7; needs nothing GPL-only. */
SEC("tc")
int plain(struct __sk_buff *skb)
{
	return 7;
}

/* Calls bpf_trace_printk, a GPL-only helper: refused for an object that declares no license. */
SEC("tc")
int gpl_helper(struct __sk_buff *skb)
{
	bpf_printk("no license");
	return 0;
}
