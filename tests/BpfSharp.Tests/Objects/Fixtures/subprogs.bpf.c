// SPDX-License-Identifier: GPL-2.0
// BPF-to-BPF calls: static and global subprograms in .text, a subprogram calling another, two programs
// in one section sharing subprograms, and callbacks passed by address to bpf_loop and
// bpf_for_each_map_elem. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

/* static subprogram */
static __noinline int add_one(int x)
{
	return x + 1;
}

/* static subprogram calling another one: (x + 1) * 2 */
static __noinline int nested(int x)
{
	return add_one(x) * 2;
}

/* global subprogram (verified on its own, with BTF func info): 2 * x */
__noinline int global_double(int x)
{
	return add_one(x) * 2 - 2;
}

static __always_inline int first_byte(void *data, void *data_end)
{
	if (data + 1 > data_end)
		return 0;
	return *(__u8 *)data;
}

/* Returns nested(packet[0]) = (packet[0] + 1) * 2: 8 for packet[0] = 3, 2 for a zeroed packet. */
SEC("xdp")
int xdp_one(struct xdp_md *ctx)
{
	return nested(first_byte((void *)(long)ctx->data, (void *)(long)ctx->data_end));
}

/* Same section as xdp_one, shares nested() and add_one(): returns nested(x) + global_double(x) for
 * x = packet[0]: 14 for packet[0] = 3, 2 for a zeroed packet. */
SEC("xdp")
int xdp_two(struct xdp_md *ctx)
{
	int x = first_byte((void *)(long)ctx->data, (void *)(long)ctx->data_end);

	return nested(x) + global_double(x);
}

struct loop_ctx {
	__u64 sum;
};

static int loop_cb(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	c->sum += index;
	return 0;
}

/* bpf_loop(10, loop_cb): returns 0 + 1 + ... + 9 = 45. */
SEC("tc")
int loop_sum(struct __sk_buff *skb)
{
	struct loop_ctx c = { .sum = 0 };

	bpf_loop(10, loop_cb, &c, 0);
	return c.sum;
}

struct bpf_map;

struct each_ctx {
	__u64 sum;
};

static long each_cb(struct bpf_map *map, __u32 *key, __u64 *value, struct each_ctx *c)
{
	c->sum += *value;
	return 0;
}

/* Sets values[i] = (i + 1) * 10, then sums them with bpf_for_each_map_elem(values, each_cb): returns
 * the sum (100) plus the helper's result, the number of elements visited (4): 104. */
SEC("tc")
int for_each_sum(struct __sk_buff *skb)
{
	struct each_ctx c = { .sum = 0 };
	long n;

#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 key = i;
		__u64 v = (i + 1) * 10;

		bpf_map_update_elem(&values, &key, &v, BPF_ANY);
	}
	n = bpf_for_each_map_elem(&values, each_cb, &c, 0);
	return c.sum + n;
}
