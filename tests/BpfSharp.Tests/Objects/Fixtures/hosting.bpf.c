// SPDX-License-Identifier: GPL-2.0
// For BpfSharp.Hosting's tests: a syscall counter and a packet counter whose version is a .rodata
// constant (so "a new version of the program" is the same object loaded with another value), with every
// counted syscall also sent to a ring buffer and a perf buffer. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Set before load: the kernel pid (thread id) whose syscalls count (0: none), and the version stamp. */
const volatile __u32 target_tid = 0;
const volatile __u32 version = 1;

enum counter {
	SYSCALLS = 0,     /* syscalls of target_tid seen by count_syscalls */
	SYSCALL_VERSION,  /* the version of the count_syscalls that ran last */
	PACKETS,          /* packets seen by count_packets */
	PACKET_VERSION,   /* the version of the count_packets that ran last */
	RINGBUF_DROPPED,  /* records the ring buffer had no room for */
	PERF_FAILED,      /* bpf_perf_event_output failures (no reader on this CPU, ...) */
	PERF_ERROR,       /* the last failure's (negative) errno */
	COUNTER_SLOTS,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, COUNTER_SLOTS);
} counters SEC(".maps");

struct event {
	__u32 version;
	__u32 tid;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

static void bump(__u32 slot, __u32 version_slot, __u64 *count)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &slot);
	if (!c)
		return;
	*count = __sync_add_and_fetch(c, 1);
	__u64 *v = bpf_map_lookup_elem(&counters, &version_slot);
	if (v)
		*v = version;
}

SEC("raw_tp/sys_enter")
int count_syscalls(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	if (tid != target_tid)
		return 0;
	struct event e = { .version = version, .tid = tid };
	bump(SYSCALLS, SYSCALL_VERSION, &e.count);
	if (bpf_ringbuf_output(&events, &e, sizeof(e), 0) != 0) {
		__u32 slot = RINGBUF_DROPPED;
		__u64 *d = bpf_map_lookup_elem(&counters, &slot);
		if (d)
			__sync_fetch_and_add(d, 1);
	}
	long err = bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	if (err != 0) {
		__u32 slot = PERF_FAILED;
		__u64 *f = bpf_map_lookup_elem(&counters, &slot);
		if (f)
			__sync_fetch_and_add(f, 1);
		slot = PERF_ERROR;
		__u64 *last = bpf_map_lookup_elem(&counters, &slot);
		if (last)
			*last = err;
	}
	return 0;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	__u64 count;
	bump(PACKETS, PACKET_VERSION, &count);
	return XDP_PASS;
}
