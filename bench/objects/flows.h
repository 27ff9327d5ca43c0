/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/* The types flows.bpf.c shares with user space: included by the BPF C and by bench/native/bench.c, as a C
 * application shares them with its bpftool skeleton; the C# side gets them from the generated skeleton. */
#ifndef BENCH_FLOWS_H
#define BENCH_FLOWS_H

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u32 proto;
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

/* A ring buffer record: 16 bytes, as ringbuf_16B's. */
struct flow_event {
	__u64 seq;
	__u32 saddr;
	__u16 sport;
	__u8 proto;
	__u8 flags;
};

#endif
