// SPDX-License-Identifier: GPL-2.0
// Loaded inside a user namespace with a BPF token: a map, global data (.bss: an mmapable array map), the BTF and a
// raw tracepoint program, each made with the token. The program counts the target process's system calls.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

__u32 target_tgid;
__u64 calls;

SEC("raw_tp/sys_enter")
int count_syscalls(void *ctx)
{
	__u32 zero = 0;
	__u64 *count;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&calls, 1);
	count = bpf_map_lookup_elem(&syscall_counts, &zero);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
