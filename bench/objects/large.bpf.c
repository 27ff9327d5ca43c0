// SPDX-License-Identifier: GPL-2.0
// The large object of the open+load benchmark: 24 maps and 56 programs with CO-RE relocations.
//
// map_NN: HASH for odd NN, ARRAY for even NN (u32 -> u64, 64 entries).
// prog_NN, for NN = 0..55, by NN % 4: 0 raw_tp/sys_enter, 1 xdp, 2 tc, 3 raw_tp/sys_exit. Every program
// adds a CO-RE-relocated value (field offsets, existence and sizes of a local view of task_struct) to
// map_(NN % 24)[NN] through a shared static and a shared global subprogram; the raw_tp programs also read the
// current task's pid and real_parent->tgid with BPF_CORE_READ. No kernel header beyond the UAPI is used, so
// every access is relocated against the running kernel's BTF at load time.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

typedef int pid_t;

struct task_struct___bench {
	pid_t tgid;
	pid_t pid;
	int not_in_kernel;
	struct task_struct___bench *real_parent;
} __attribute__((preserve_access_index));

struct list_head___bench {
	struct list_head___bench *next, *prev;
} __attribute__((preserve_access_index));

#define MAP(n, num)                                                                        \
	struct {                                                                      \
		__uint(type, (num) % 2 ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY);      \
		__uint(max_entries, 64);                                              \
		__type(key, __u32);                                                   \
		__type(value, __u64);                                                 \
	} map_##n SEC(".maps");

MAP(00, 0)
MAP(01, 1)
MAP(02, 2)
MAP(03, 3)
MAP(04, 4)
MAP(05, 5)
MAP(06, 6)
MAP(07, 7)
MAP(08, 8)
MAP(09, 9)
MAP(10, 10)
MAP(11, 11)
MAP(12, 12)
MAP(13, 13)
MAP(14, 14)
MAP(15, 15)
MAP(16, 16)
MAP(17, 17)
MAP(18, 18)
MAP(19, 19)
MAP(20, 20)
MAP(21, 21)
MAP(22, 22)
MAP(23, 23)

/* global subprogram: CO-RE constants that every program adds */
__noinline __u64 core_delta(__u32 n)
{
	struct task_struct___bench *t = 0;

	return n + bpf_core_field_offset(t->pid) + bpf_core_field_size(t->tgid) +
	       bpf_core_field_exists(t->not_in_kernel) + bpf_core_type_size(struct list_head___bench);
}

/* static subprogram: map[key] += delta, creating the entry when missing */
static __noinline int bump(void *map, __u32 key, __u64 delta)
{
	__u64 *value = bpf_map_lookup_elem(map, &key);

	if (value) {
		__sync_fetch_and_add(value, delta);
		return 0;
	}
	return bpf_map_update_elem(map, &key, &delta, BPF_NOEXIST);
}

#define PROG_TASK(n, key, sec)                                                             \
	SEC(sec)                                                                      \
	int prog_##n(void *ctx)                                                       \
	{                                                                             \
		struct task_struct___bench *t = (void *)bpf_get_current_task();       \
		__u64 v = BPF_CORE_READ(t, pid) + BPF_CORE_READ(t, real_parent, tgid);\
		if (bump(&map_##n##_m, key, v + core_delta(key)))                    \
			return 1;                                                     \
		return 0;                                                             \
	}

#define PROG_PKT(n, key, sec, ctx_type, ret)                                               \
	SEC(sec)                                                                      \
	int prog_##n(ctx_type *ctx)                                                   \
	{                                                                             \
		struct task_struct___bench *t = 0;                                     \
		__u64 v = bpf_core_field_offset(t->real_parent);                      \
		if (bump(&map_##n##_m, key, v + core_delta(key)))                    \
			return 1;                                                     \
		return ret;                                                           \
	}

#define map_00_m map_00
PROG_TASK(00, 0, "raw_tp/sys_enter")
#define map_01_m map_01
PROG_PKT(01, 1, "xdp", struct xdp_md, XDP_PASS)
#define map_02_m map_02
PROG_PKT(02, 2, "tc", struct __sk_buff, 0)
#define map_03_m map_03
PROG_TASK(03, 3, "raw_tp/sys_exit")
#define map_04_m map_04
PROG_TASK(04, 4, "raw_tp/sys_enter")
#define map_05_m map_05
PROG_PKT(05, 5, "xdp", struct xdp_md, XDP_PASS)
#define map_06_m map_06
PROG_PKT(06, 6, "tc", struct __sk_buff, 0)
#define map_07_m map_07
PROG_TASK(07, 7, "raw_tp/sys_exit")
#define map_08_m map_08
PROG_TASK(08, 8, "raw_tp/sys_enter")
#define map_09_m map_09
PROG_PKT(09, 9, "xdp", struct xdp_md, XDP_PASS)
#define map_10_m map_10
PROG_PKT(10, 10, "tc", struct __sk_buff, 0)
#define map_11_m map_11
PROG_TASK(11, 11, "raw_tp/sys_exit")
#define map_12_m map_12
PROG_TASK(12, 12, "raw_tp/sys_enter")
#define map_13_m map_13
PROG_PKT(13, 13, "xdp", struct xdp_md, XDP_PASS)
#define map_14_m map_14
PROG_PKT(14, 14, "tc", struct __sk_buff, 0)
#define map_15_m map_15
PROG_TASK(15, 15, "raw_tp/sys_exit")
#define map_16_m map_16
PROG_TASK(16, 16, "raw_tp/sys_enter")
#define map_17_m map_17
PROG_PKT(17, 17, "xdp", struct xdp_md, XDP_PASS)
#define map_18_m map_18
PROG_PKT(18, 18, "tc", struct __sk_buff, 0)
#define map_19_m map_19
PROG_TASK(19, 19, "raw_tp/sys_exit")
#define map_20_m map_20
PROG_TASK(20, 20, "raw_tp/sys_enter")
#define map_21_m map_21
PROG_PKT(21, 21, "xdp", struct xdp_md, XDP_PASS)
#define map_22_m map_22
PROG_PKT(22, 22, "tc", struct __sk_buff, 0)
#define map_23_m map_23
PROG_TASK(23, 23, "raw_tp/sys_exit")
#define map_24_m map_00
PROG_TASK(24, 24, "raw_tp/sys_enter")
#define map_25_m map_01
PROG_PKT(25, 25, "xdp", struct xdp_md, XDP_PASS)
#define map_26_m map_02
PROG_PKT(26, 26, "tc", struct __sk_buff, 0)
#define map_27_m map_03
PROG_TASK(27, 27, "raw_tp/sys_exit")
#define map_28_m map_04
PROG_TASK(28, 28, "raw_tp/sys_enter")
#define map_29_m map_05
PROG_PKT(29, 29, "xdp", struct xdp_md, XDP_PASS)
#define map_30_m map_06
PROG_PKT(30, 30, "tc", struct __sk_buff, 0)
#define map_31_m map_07
PROG_TASK(31, 31, "raw_tp/sys_exit")
#define map_32_m map_08
PROG_TASK(32, 32, "raw_tp/sys_enter")
#define map_33_m map_09
PROG_PKT(33, 33, "xdp", struct xdp_md, XDP_PASS)
#define map_34_m map_10
PROG_PKT(34, 34, "tc", struct __sk_buff, 0)
#define map_35_m map_11
PROG_TASK(35, 35, "raw_tp/sys_exit")
#define map_36_m map_12
PROG_TASK(36, 36, "raw_tp/sys_enter")
#define map_37_m map_13
PROG_PKT(37, 37, "xdp", struct xdp_md, XDP_PASS)
#define map_38_m map_14
PROG_PKT(38, 38, "tc", struct __sk_buff, 0)
#define map_39_m map_15
PROG_TASK(39, 39, "raw_tp/sys_exit")
#define map_40_m map_16
PROG_TASK(40, 40, "raw_tp/sys_enter")
#define map_41_m map_17
PROG_PKT(41, 41, "xdp", struct xdp_md, XDP_PASS)
#define map_42_m map_18
PROG_PKT(42, 42, "tc", struct __sk_buff, 0)
#define map_43_m map_19
PROG_TASK(43, 43, "raw_tp/sys_exit")
#define map_44_m map_20
PROG_TASK(44, 44, "raw_tp/sys_enter")
#define map_45_m map_21
PROG_PKT(45, 45, "xdp", struct xdp_md, XDP_PASS)
#define map_46_m map_22
PROG_PKT(46, 46, "tc", struct __sk_buff, 0)
#define map_47_m map_23
PROG_TASK(47, 47, "raw_tp/sys_exit")
#define map_48_m map_00
PROG_TASK(48, 48, "raw_tp/sys_enter")
#define map_49_m map_01
PROG_PKT(49, 49, "xdp", struct xdp_md, XDP_PASS)
#define map_50_m map_02
PROG_PKT(50, 50, "tc", struct __sk_buff, 0)
#define map_51_m map_03
PROG_TASK(51, 51, "raw_tp/sys_exit")
#define map_52_m map_04
PROG_TASK(52, 52, "raw_tp/sys_enter")
#define map_53_m map_05
PROG_PKT(53, 53, "xdp", struct xdp_md, XDP_PASS)
#define map_54_m map_06
PROG_PKT(54, 54, "tc", struct __sk_buff, 0)
#define map_55_m map_07
PROG_TASK(55, 55, "raw_tp/sys_exit")
