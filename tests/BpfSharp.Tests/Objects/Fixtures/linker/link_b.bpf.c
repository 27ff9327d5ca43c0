// Static-linking fixture, part two: defines twice() and a strong pick() (overriding link_a's weak one) and
// refers to link_a's map `counts` through an extern map declaration, which must agree with the definition.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __noinline int add_b(int x)
{
	return x + 1;
}

__noinline int twice(int x)
{
	return add_b(x * 2) - 1;
}

__noinline int pick(void)
{
	return 7;
}

const volatile int b_bias = 5;
int b_runs = 0;

SEC("raw_tp/sys_enter")
int count_b(void *ctx)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	b_runs++;
	return 0;
}

/* XDP_TX (3) when twice(5) is 10: 10 + b_bias - 12 = 3. */
SEC("xdp")
int xdp_b(struct xdp_md *ctx)
{
	return twice(5) + b_bias - 12;
}
