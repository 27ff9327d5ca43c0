// SPDX-License-Identifier: GPL-2.0
// Maps of maps whose inner maps need their BTF: a value with a bpf_timer (the kernel compares the template's
// BTF-described fields with each map stored later) and task storage (which exists only with BTF). From the
// kernel selftests timer_mim and local_storage_bench, which a loader creating inner templates without BTF
// fails (EINVAL). See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct timer_value {
	struct bpf_timer timer;
	__u64 armed;
};

struct timer_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct timer_value);
} timers SEC(".maps");

/* Slot 0 holds timers. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct timer_map);
} outer_timers SEC(".maps") = {
	.values = { [0] = &timers },
};

struct task_storage {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
};

/* Empty: the inner map is only a template (task storage maps are created and stored by user space). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct task_storage);
} outer_storage SEC(".maps");

/* Returns 1 when outer_timers[packet[0]] holds a map, 0 otherwise. */
SEC("tc")
int has_timer_map(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 key;

	if (data + 1 > data_end)
		return 0;
	key = *(__u8 *)data;
	return bpf_map_lookup_elem(&outer_timers, &key) ? 1 : 0;
}
