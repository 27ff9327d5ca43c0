// SPDX-License-Identifier: GPL-2.0
// A struct_ops map: a TCP congestion control ("bpfsharp_fx") whose callbacks are BPF programs,
// declared with a hand-written, partial struct tcp_congestion_ops (the loader matches its members by
// name against the kernel's BTF). SEC(".struct_ops.link"): registered through a link. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct sock;

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
} __attribute__((preserve_access_index));

SEC("struct_ops/fx_ssthresh")
__u32 BPF_PROG(fx_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/fx_cong_avoid")
void BPF_PROG(fx_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/fx_undo_cwnd")
__u32 BPF_PROG(fx_undo_cwnd, struct sock *sk)
{
	return 10;
}

#ifndef STRUCT_OPS_SECTION
#define STRUCT_OPS_SECTION ".struct_ops.link"
#endif

SEC(STRUCT_OPS_SECTION)
struct tcp_congestion_ops fx_cc = {
	.ssthresh = (void *)fx_ssthresh,
	.cong_avoid = (void *)fx_cong_avoid,
	.undo_cwnd = (void *)fx_undo_cwnd,
	.name = "bpfsharp_fx",
};
