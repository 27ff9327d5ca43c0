// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// pktcount: an XDP program counting packets and bytes per protocol in a per-CPU hash keyed by an enum, so
// that tools show the keys by name. Every packet passes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum protocol {
	PROTO_OTHER = 0,
	PROTO_ARP,
	PROTO_ICMP,
	PROTO_TCP,
	PROTO_UDP,
	PROTO_ICMPV6,
	PROTO_IP_OTHER,
};

struct counts {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, enum protocol);
	__type(value, struct counts);
	__uint(max_entries, 16);
} counts SEC(".maps");

static enum protocol classify(void *data, void *end)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return PROTO_OTHER;
	__u8 l4;
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_ARP):
		return PROTO_ARP;
	case bpf_htons(ETH_P_IP): {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return PROTO_OTHER;
		l4 = ip->protocol;
		break;
	}
	case bpf_htons(ETH_P_IPV6): {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return PROTO_OTHER;
		l4 = ip6->nexthdr;
		break;
	}
	default:
		return PROTO_OTHER;
	}
	switch (l4) {
	case IPPROTO_ICMP: return PROTO_ICMP;
	case IPPROTO_TCP: return PROTO_TCP;
	case IPPROTO_UDP: return PROTO_UDP;
	case IPPROTO_ICMPV6: return PROTO_ICMPV6;
	default: return PROTO_IP_OTHER;
	}
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	enum protocol key = classify(data, end);
	struct counts *c = bpf_map_lookup_elem(&counts, &key);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	} else {
		struct counts first = { .packets = 1, .bytes = end - data };
		bpf_map_update_elem(&counts, &key, &first, BPF_NOEXIST);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
