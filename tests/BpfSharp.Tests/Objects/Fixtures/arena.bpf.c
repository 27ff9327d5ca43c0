// SPDX-License-Identifier: GPL-2.0
// An arena (Linux 6.9): a BPF_MAP_TYPE_ARENA map and __arena globals (section .addr_space.1), which the loader places in
// the arena's last pages (as libbpf 1.7 does) before any program runs. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAP_TYPE_ARENA 33 /* newer than the 6.1 UAPI headers */
#define __arena __attribute__((address_space(1)))

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4); /* pages */
} arena SEC(".maps");

__u64 __arena arena_counter = 7;
__u64 __arena arena_values[8];
__u64 __arena *__arena last_written; /* a pointer into the arena, as the BPF side sees it */

// arena_counter += 1; arena_values[2] = arena_counter * 100; last_written = &arena_values[2]; returns arena_counter.
SEC("syscall")
int bump_arena(void *ctx)
{
	arena_counter += 1;
	arena_values[2] = arena_counter * 100;
	last_written = &arena_values[2];
	return (int)arena_counter;
}
