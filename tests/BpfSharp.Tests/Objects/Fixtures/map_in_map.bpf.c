// SPDX-License-Identifier: GPL-2.0
// Maps of maps initialised with maps of the same object (libbpf's __array(values, ...) + designated
// initialisers: the loader fills the outer slots after creating the inner maps). See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

/* Slots 0 and 2 hold inner_a and inner_b; slot 1 is empty. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_array SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

/* Keys 1 and 3 hold inner_b and inner_a; no other key exists. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_hash SEC(".maps") = {
	.values = { [1] = &inner_b, [3] = &inner_a },
};

static __always_inline int lookup(void *outer, struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 key, zero = 0;
	__u32 *value;
	void *inner;

	if (data + 1 > data_end)
		return 0xee;
	key = *(__u8 *)data;
	inner = bpf_map_lookup_elem(outer, &key);
	if (!inner)
		return 0xee;
	value = bpf_map_lookup_elem(inner, &zero);
	if (!value)
		return 0xef;
	return *value;
}

/* outer_array[packet[0]] -> inner[0]: returns the inner map's value, 0xee (238) for an empty slot. */
SEC("tc")
int lookup_array(struct __sk_buff *skb)
{
	return lookup(&outer_array, skb);
}

/* outer_hash[packet[0]] -> inner[0]: returns the inner map's value, 0xee (238) for a missing key. */
SEC("tc")
int lookup_hash(struct __sk_buff *skb)
{
	return lookup(&outer_hash, skb);
}

/* Writes inner_a[0] = 111 and inner_b[0] = 222 (directly, not through the outer maps); returns 0. */
SEC("tc")
int fill_inner(struct __sk_buff *skb)
{
	__u32 zero = 0, a = 111, b = 222;

	bpf_map_update_elem(&inner_a, &zero, &a, BPF_ANY);
	bpf_map_update_elem(&inner_b, &zero, &b, BPF_ANY);
	return 0;
}
