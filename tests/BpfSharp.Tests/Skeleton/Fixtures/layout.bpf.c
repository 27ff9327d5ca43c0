// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// Skeleton fixture: every layout the generator must reproduce (unions, bitfields, packed structs, anonymous
// members, 2-D and char arrays, enums of each width), used by maps, globals and a requested type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 1, GREEN = 2, BLUE = -1 };
enum big : unsigned long long { HUGE_VALUE = 0xfffffffffffffff0ULL };
enum small : unsigned char { TINY = 7 };

struct inner {
	char tag;
	long long value;
};

struct __attribute__((packed)) packed_rec {
	char a;
	int b;
	long long c;
	short d;
};

struct bits {
	unsigned int low : 3;
	unsigned int mid : 13;
	int negative : 5;
	enum color color : 4;
	unsigned long long wide : 40;
	char after;
};

union number {
	int i;
	float f;
	unsigned char raw[8];
	struct inner nested;
};

struct layout_value {
	int id;
	union {
		unsigned int as_uint;
		struct {
			unsigned short lo;
			unsigned short hi;
		};
	};
	struct {
		char name[16];
		int count;
	} named;
	int grid[3][5];
	char comm[16];
	struct inner inners[2];
	union number number;
	struct packed_rec packed;
	struct bits bits;
	enum color color;
	enum big big;
	enum small small;
	void *pointer;
};

struct record {
	unsigned int pid;
	char comm[16];
	unsigned long long when;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, unsigned int);
	__type(value, struct layout_value);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

const volatile unsigned int filter_pid = 0;
const volatile char prefix[8] = "bpf";
unsigned long long hits = 0;
struct packed_rec last_packed = {};
/* Keeps struct record in the BTF for the skeleton's requested type (it is otherwise only a ring buffer record). */
struct record *unused_record __attribute__((unused));

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
	unsigned int key = 0;
	unsigned int pid = bpf_get_current_pid_tgid() >> 32;
	struct record *r;

	if (filter_pid && pid != filter_pid)
		return 0;
	__sync_fetch_and_add(&hits, 1);
	unsigned long long *c = bpf_map_lookup_elem(&per_cpu, &key);
	if (c)
		*c += 1;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return 0;
	r->pid = pid;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->when = bpf_ktime_get_ns();
	bpf_ringbuf_submit(r, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
