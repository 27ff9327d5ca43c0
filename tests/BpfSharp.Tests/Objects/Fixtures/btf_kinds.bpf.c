// SPDX-License-Identifier: GPL-2.0
// Every BTF kind a kernel may lack, for the BTF sanitiser (src/BpfSharp/Btf/BtfSanitizer.cs): a FLOAT, an ENUM64 and
// a pointer to a TYPE_TAG in a map value, DECL_TAGs on a member, a variable and a function, a global FUNC and the
// .data DATASEC. Run with 64 zero bytes, `kinds` returns XDP_PASS, adds 1 to `counter` and, through
// bpfsharp_next(), 1 to records[0].value, and sets records[0].kind to WIDE_BIG.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __user __attribute__((btf_type_tag("user")))

enum wide { WIDE_SMALL = 1, WIDE_BIG = 0x100000000ULL };

struct record {
	float ratio;
	int value __tag("member_tag");
	enum wide kind;
	int __user *where;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record);
} records SEC(".maps");

int counter __tag("var_tag") = 0;

__attribute__((noinline)) __tag("func_tag") int bpfsharp_next(int x)
{
	return x + 1;
}

SEC("xdp")
int kinds(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct record *r = bpf_map_lookup_elem(&records, &key);

	counter += 1;
	if (!r)
		return XDP_ABORTED;
	r->value = bpfsharp_next(r->value);
	r->kind = WIDE_BIG;
	return XDP_PASS;
}
