// SPDX-License-Identifier: GPL-2.0
// A prog array initialised with programs of the same object (the loader fills it after loading them),
// and an entry program that tail-calls by an index taken from the packet. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

int prog_a(struct __sk_buff *skb);
int prog_b(struct __sk_buff *skb);

/* Slot 0 = prog_a, slot 1 = prog_b, slots 2 and 3 empty. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (struct __sk_buff *));
} jump_table SEC(".maps") = {
	.values = { [0] = (void *)&prog_a, [1] = (void *)&prog_b },
};

static __always_inline int packet_byte(struct __sk_buff *skb, int offset)
{
	__u8 *data = (void *)(long)skb->data;
	__u8 *data_end = (void *)(long)skb->data_end;

	if (data + offset + 1 > data_end)
		return -1;
	return data[offset];
}

/* Returns 10: proof that slot 0 was reached. */
SEC("tc")
int prog_a(struct __sk_buff *skb)
{
	return 10;
}

/* Returns 20; when packet[1] is 0xaa it first tail-calls on to slot 0 (a chain: prog_a returns 10). */
SEC("tc")
int prog_b(struct __sk_buff *skb)
{
	if (packet_byte(skb, 1) == 0xaa)
		bpf_tail_call(skb, &jump_table, 0);
	return 20;
}

/* Tail-calls jump_table[packet[0]]; returns 1 when the slot is empty (the tail call falls through). */
SEC("tc")
int entry(struct __sk_buff *skb)
{
	int index = packet_byte(skb, 0);

	if (index >= 0)
		bpf_tail_call(skb, &jump_table, index);
	return 1;
}
