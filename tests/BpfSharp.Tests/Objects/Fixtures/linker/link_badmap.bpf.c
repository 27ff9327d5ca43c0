// Static-linking fixture for a refused link: declares link_a's map `counts` with another max_entries.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("raw_tp/sys_enter")
int count_bad(void *ctx)
{
	__u32 key = 2;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		*v += 1;
	return 0;
}
