// SPDX-License-Identifier: GPL-2.0
// CO-RE of a bitfield behind anonymous members: sk_buff.pkt_type, reached from a tc program's context through the
// kfunc bpf_cast_to_kern_ctx (Linux 6.3; a separate object so that core_anon.bpf.o loads on older kernels).
// See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define __core __attribute__((preserve_access_index))

// The kernel: union { struct { ... __u8 pkt_type:3; ... }; struct sk_buff_headers headers; }.
struct sk_buff___local {
	union {
		struct {
			__u8 pkt_type : 3;
		};
	};
} __core;

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

__u64 pkt_type, uapi_pkt_type, pkt_type_offset, pkt_type_size, pkt_type_lshift, pkt_type_rshift, pkt_type_exists;

// Reads the kernel sk_buff's pkt_type bitfield beside the UAPI mirror __sk_buff.pkt_type.
SEC("tc")
int read_pkt_type(struct __sk_buff *skb)
{
	struct sk_buff___local *kskb = bpf_cast_to_kern_ctx(skb);

	pkt_type = BPF_CORE_READ_BITFIELD(kskb, pkt_type);
	uapi_pkt_type = skb->pkt_type;
	pkt_type_offset = __builtin_preserve_field_info(kskb->pkt_type, BPF_FIELD_BYTE_OFFSET);
	pkt_type_size = __builtin_preserve_field_info(kskb->pkt_type, BPF_FIELD_BYTE_SIZE);
	pkt_type_lshift = __builtin_preserve_field_info(kskb->pkt_type, BPF_FIELD_LSHIFT_U64);
	pkt_type_rshift = __builtin_preserve_field_info(kskb->pkt_type, BPF_FIELD_RSHIFT_U64);
	pkt_type_exists = bpf_core_field_exists(kskb->pkt_type);
	return 0;
}
