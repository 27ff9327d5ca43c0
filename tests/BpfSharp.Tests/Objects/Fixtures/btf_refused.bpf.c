// SPDX-License-Identifier: GPL-2.0
// An object whose BTF the kernel refuses: clang writes the declared, never defined `enum bpfsharp_declared_only`
// as an ENUM of size 0, which the kernel's BTF check rejects (EINVAL). libbpf then loads the maps and programs
// without BTF (the kernel selftest btf_dump_test_case_namespacing has such an enum). See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

enum bpfsharp_declared_only;

struct holder {
	enum bpfsharp_declared_only *declared;
	int verdict;
};

struct holder holder = { .verdict = XDP_PASS };

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return holder.verdict;
}
