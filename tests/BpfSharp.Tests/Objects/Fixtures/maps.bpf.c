// SPDX-License-Identifier: GPL-2.0
// Every map type that can be created without special setup, as BTF-defined maps in ".maps", and two
// programs that touch several of them (so the object carries map relocations). See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

/* ---- key/value given as types ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru_percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} lpm_trie SEC(".maps");

/* Queue, stack and bloom filter have no key (key_size 0). */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 16);
	__uint(map_extra, 3); /* number of hash functions */
	__type(value, __u32);
} bloom_filter SEC(".maps");

/* Ring buffers: max_entries is the byte size, a power of two and a multiple of the page size. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 64 * 1024);
} user_ringbuf SEC(".maps");

/* No max_entries: libbpf's rule is "the number of possible CPUs". */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} prog_array SEC(".maps");

/* The inner map template of the two maps of maps (no initial inner maps here; see map_in_map.bpf.c). */
struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} array_of_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} hash_of_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__type(key, __u32);
	__uint(value_size, 127 * sizeof(__u64)); /* PERF_MAX_STACK_DEPTH frames */
} stack_traces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devmap_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32); /* struct bpf_cpumap_val's qsize only */
} cpumap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xskmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} sockmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} sockhash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} reuseport_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_array SEC(".maps");

/* Local storage: BPF_F_NO_PREALLOC, no max_entries, an int key, and BTF key/value types are mandatory. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} task_storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} inode_storage SEC(".maps");

/* ---- sizes instead of types, flags, NUMA node ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 8);
} sized_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} mmap_array SEC(".maps");

/* The kernel honours numa_node only with BPF_F_NUMA_NODE in map_flags (libbpf does not add it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
	__type(key, __u32);
	__type(value, __u64);
} numa_hash SEC(".maps");

/* Writes known values into the data maps; returns XDP_PASS (2) when every write succeeded, else
 * XDP_ABORTED (0). Run it once: the queue, stack, ring buffer and bloom filter accumulate. */
SEC("xdp")
int touch_maps(struct xdp_md *ctx)
{
	struct lpm_key lk = { .prefixlen = 24, .addr = { 10, 0, 0, 0 } };
	__u32 key, v32;
	__u64 v64;
	long err = 0;

	key = 1; v64 = 100;
	err |= bpf_map_update_elem(&hash_map, &key, &v64, BPF_ANY);
	key = 0; v64 = 200;
	err |= bpf_map_update_elem(&array_map, &key, &v64, BPF_ANY);
	key = 2; v64 = 300;
	err |= bpf_map_update_elem(&percpu_hash, &key, &v64, BPF_ANY);
	key = 0; v64 = 400;
	err |= bpf_map_update_elem(&percpu_array, &key, &v64, BPF_ANY);
	key = 3; v64 = 500;
	err |= bpf_map_update_elem(&lru_hash, &key, &v64, BPF_ANY);
	key = 4; v64 = 600;
	err |= bpf_map_update_elem(&lru_percpu_hash, &key, &v64, BPF_ANY);
	v32 = 700;
	err |= bpf_map_update_elem(&lpm_trie, &lk, &v32, BPF_ANY);
	v32 = 11;
	err |= bpf_map_push_elem(&queue, &v32, BPF_ANY);
	v32 = 22;
	err |= bpf_map_push_elem(&queue, &v32, BPF_ANY);
	v32 = 33;
	err |= bpf_map_push_elem(&stack, &v32, BPF_ANY);
	v32 = 44;
	err |= bpf_map_push_elem(&stack, &v32, BPF_ANY);
	v32 = 1234;
	err |= bpf_map_push_elem(&bloom_filter, &v32, BPF_ANY);
	key = 1; v64 = 0x1122334455667788ULL;
	err |= bpf_map_update_elem(&sized_array, &key, &v64, BPF_ANY);
	key = 0; v64 = 900;
	err |= bpf_map_update_elem(&mmap_array, &key, &v64, BPF_ANY);
	key = 5; v64 = 800;
	err |= bpf_map_update_elem(&numa_hash, &key, &v64, BPF_ANY);
	v64 = 0xcafef00dULL;
	err |= bpf_ringbuf_output(&ringbuf, &v64, sizeof(v64), 0);

	/* References that change nothing: both maps of maps are empty, nobody listens on perf_events
	 * (-ENOENT, ignored), the prog array is empty (the tail call falls through). */
	key = 0;
	if (bpf_map_lookup_elem(&array_of_maps, &key) || bpf_map_lookup_elem(&hash_of_maps, &key))
		err |= 1;
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &v64, sizeof(v64));
	bpf_tail_call(ctx, &prog_array, 0);

	return err ? XDP_ABORTED : XDP_PASS;
}

/* Stores args[1] of its context in the calling task's task_storage entry and records a stack in
 * stack_traces; returns 1 (0 if the storage could not be created). */
SEC("raw_tp/sys_enter")
int touch_task(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 *v;

	bpf_get_stackid(ctx, &stack_traces, 0);
	v = bpf_task_storage_get(&task_storage, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 0;
	*v = ctx->args[1];
	return 1;
}
