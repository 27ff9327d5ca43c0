// SPDX-License-Identifier: GPL-2.0
// Legacy map definitions: struct bpf_map_def in SEC("maps") (what samples/bpf and old iproute2 objects
// use; libbpf 1.0 dropped them), no BTF for the maps, and the old "version" section. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Defined here: libbpf 1.0 removed it from bpf_helpers.h. Five __u32 fields, 20 bytes per map. */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060000; /* KERNEL_VERSION(6, 0, 0); ignored by modern kernels */

/* counters[0]: how many times legacy_count ran. */
struct bpf_map_def SEC("maps") counters = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 2,
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 8,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* Increments counters[0] and stores legacy_hash[7] = 0x1234; returns XDP_PASS (2). */
SEC("xdp")
int legacy_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *count;
	__u64 value = 0x1234;

	count = bpf_map_lookup_elem(&counters, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	key = 7;
	bpf_map_update_elem(&legacy_hash, &key, &value, BPF_ANY);
	return XDP_PASS;
}

/* Returns counters[0] + 100 * counters[1]. */
SEC("tc")
int legacy_get(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u32 *count, *extra;

	count = bpf_map_lookup_elem(&counters, &key);
	key = 1;
	extra = bpf_map_lookup_elem(&counters, &key);
	if (!count || !extra)
		return -1;
	return *count + 100 * *extra;
}
