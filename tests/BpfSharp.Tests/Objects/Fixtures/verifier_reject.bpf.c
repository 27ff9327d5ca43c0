// SPDX-License-Identifier: GPL-2.0
// One program the verifier rejects (a packet read without a bounds check) and one it accepts. The bad
// one's section starts with '?' (libbpf: not loaded unless autoload is turned on). See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Rejected: reads 4 bytes of the packet without checking data_end. The verifier log names this
 * line: "; return *(__u32 *)data; @ verifier_reject.bpf.c:16" and "invalid access to packet". */
SEC("?xdp")
int bad_packet_read(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;

	return *(__u32 *)data;
}

/* Accepted: returns XDP_PASS (2). */
SEC("xdp")
int good_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
