// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// The object of the skeleton rows (bench/README.md): its maps are used through a generated skeleton on both sides,
// BpfSharp's (the Roslyn generator, BpfSharp.Build) and libbpf's (bpftool gen skeleton, bench/native/Makefile).
//
// flows: a hash map typed by struct flow_key -> struct flow_stats (the skeleton_hash_* rows).
// events: a 16 MiB ring buffer of struct flow_event; flow_events (XDP) writes one record per run, so run it with
// BPF_PROG_TEST_RUN and `repeat` = the number of records (skeleton_ringbuf_16B). Written with BPF_RB_NO_WAKEUP, as
// events.bpf.c's producers. Returns XDP_PASS (2).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "flows.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

__u64 seq = 0;

/* Keeps struct flow_event in the BTF for the skeletons (a ring buffer record is in no map's type). */
struct flow_event *unused_flow_event __attribute__((unused));

SEC("xdp")
int flow_events(struct xdp_md *ctx)
{
	struct flow_event e = {
		.seq = ++seq,
		.saddr = 0x0100007f,
		.sport = 4242,
		.proto = 6,
	};

	bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_NO_WAKEUP);
	return XDP_PASS;
}
