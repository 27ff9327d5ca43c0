// SPDX-License-Identifier: GPL-2.0
// A map whose pinning is neither LIBBPF_PIN_NONE (0) nor LIBBPF_PIN_BY_NAME (1): libbpf refuses the object at open
// (EINVAL, "invalid pinning value 2"), as the kernel selftest test_pinning_invalid checks. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, 2);
} pinned_twice SEC(".maps");

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
