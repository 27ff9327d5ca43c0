// Static-linking fixture, part one (linked with link_b.bpf.c by BpfLinker and by bpftool gen object).
// Defines the map `counts`, a weak pick() that link_b overrides, and calls twice() that link_b defines.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

int twice(int x);

__weak __noinline int pick(void)
{
	return 1;
}

static __noinline int add_a(int x)
{
	return x + 100;
}

const volatile int a_bias = 3;
int a_runs = 0;

SEC("raw_tp/sys_enter")
int count_a(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	a_runs++;
	return 0;
}

/* XDP_PASS when the linked pick() is link_b's (7): 2 * 7 + 100 + 3 = 117, so 117 - 115 = 2. */
SEC("xdp")
int xdp_a(struct xdp_md *ctx)
{
	return add_a(twice(pick())) + a_bias - 115;
}

char LICENSE[] SEC("license") = "GPL";
