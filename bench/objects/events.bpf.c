// SPDX-License-Identifier: GPL-2.0
// Event producers and link-churn targets for the side-by-side benchmarks (bench/README.md).
//
// rb_NN / pb_NN (XDP): each run writes one NN-byte record (u64 sequence number first, then zeros) into the
// ring buffer `rb` or the perf event array `pb`. Run them with BPF_PROG_TEST_RUN and `repeat` = the number
// of records wanted. Ring buffer records are written with BPF_RB_NO_WAKEUP: the benchmark consumes without
// waiting, so no wake-up work is done for a reader that is not sleeping. Returns XDP_PASS (2).
//
// churn_raw_tp (raw_tp/task_rename) and churn_tp (tp/task/task_rename): empty programs that the link
// benchmarks attach and destroy; task_rename fires only on a comm change, so attached copies cost nothing.
// keep_raw_tp and keep_tp: the same, attached once for the whole benchmark so that the tracepoint never loses
// its last probe (which makes the kernel wait for an RCU grace period). A perf tracepoint refuses the same
// program twice (EEXIST), hence separate programs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_RECORD 1024

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pb SEC(".maps");

struct record {
	__u64 seq;
	__u8 rest[MAX_RECORD - 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record);
} scratch SEC(".maps");

static __always_inline struct record *next_record(void)
{
	__u32 zero = 0;
	struct record *r = bpf_map_lookup_elem(&scratch, &zero);

	if (r)
		r->seq++;
	return r;
}

#define RB_PRODUCER(size)                                                             \
	SEC("xdp")                                                                    \
	int rb_##size(struct xdp_md *ctx)                                             \
	{                                                                             \
		struct record *r = next_record();                                     \
		if (r)                                                                \
			bpf_ringbuf_output(&rb, r, size, BPF_RB_NO_WAKEUP);           \
		return XDP_PASS;                                                      \
	}

#define PB_PRODUCER(size)                                                             \
	SEC("xdp")                                                                    \
	int pb_##size(struct xdp_md *ctx)                                             \
	{                                                                             \
		struct record *r = next_record();                                     \
		if (r)                                                                \
			bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, r, size);  \
		return XDP_PASS;                                                      \
	}

RB_PRODUCER(16)
RB_PRODUCER(128)
RB_PRODUCER(1024)
PB_PRODUCER(16)
PB_PRODUCER(128)
PB_PRODUCER(1024)

SEC("raw_tp/task_rename")
int churn_raw_tp(void *ctx)
{
	return 0;
}

SEC("tp/task/task_rename")
int churn_tp(void *ctx)
{
	return 0;
}

SEC("raw_tp/task_rename")
int keep_raw_tp(void *ctx)
{
	return 0;
}

SEC("tp/task/task_rename")
int keep_tp(void *ctx)
{
	return 0;
}
