// Two programs in different sections, a global and a static subprogram, a BTF-defined
// map in .maps and globals in .data, .bss and .rodata, so the object carries every kind
// of relocation the loader meets (map references, global data, subprogram calls).
// Rebuild: clang-19 -g -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c programs.bpf.c -o programs.bpf.o
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

__u64 hits;                    /* .bss */
__u32 limit = 42;              /* .data */
const volatile __u32 mode = 1; /* .rodata */

static __noinline int scale(int x)
{
	return x * (int)limit;
}

__noinline int global_helper(int x)
{
	return scale(x) + 1;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 one = 1, *value;

	value = bpf_map_lookup_elem(&counts, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	hits++;
	return mode ? XDP_PASS : XDP_DROP;
}

SEC("tracepoint/syscalls/sys_enter_write")
int trace_write(void *ctx)
{
	__u32 key = (__u32)global_helper(7);
	__u64 one = 1;

	bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	return 0;
}
