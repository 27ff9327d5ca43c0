// SPDX-License-Identifier: GPL-2.0
// A large object for the loader benchmark: 24 maps (hash and array, alternating) and 64 programs
// (xdp and tc, alternating), each calling a shared static and a shared global subprogram. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* map_NN: hash for odd NN, array for even NN; 64 entries of __u32 -> __u64. */
#define MAP(name, n)                                                                  \
	struct {                                                                      \
		__uint(type, (n) % 2 ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY);      \
		__uint(max_entries, 64);                                              \
		__type(key, __u32);                                                   \
		__type(value, __u64);                                                 \
	} name SEC(".maps");

MAP(map_00, 0)
MAP(map_01, 1)
MAP(map_02, 2)
MAP(map_03, 3)
MAP(map_04, 4)
MAP(map_05, 5)
MAP(map_06, 6)
MAP(map_07, 7)
MAP(map_08, 8)
MAP(map_09, 9)
MAP(map_10, 10)
MAP(map_11, 11)
MAP(map_12, 12)
MAP(map_13, 13)
MAP(map_14, 14)
MAP(map_15, 15)
MAP(map_16, 16)
MAP(map_17, 17)
MAP(map_18, 18)
MAP(map_19, 19)
MAP(map_20, 20)
MAP(map_21, 21)
MAP(map_22, 22)
MAP(map_23, 23)

/* global subprogram: the value each program adds */
__noinline __u64 delta_for(__u32 n)
{
	return n + 1;
}

/* static subprogram: adds delta to map[key], creating the entry when missing; returns 0 or an error */
static __noinline int bump(void *map, __u32 key, __u64 delta)
{
	__u64 *value;

	value = bpf_map_lookup_elem(map, &key);
	if (value) {
		__sync_fetch_and_add(value, delta);
		return 0;
	}
	return bpf_map_update_elem(map, &key, &delta, BPF_NOEXIST);
}

/* prog_NN (xdp for even NN, tc for odd NN): map_(NN % 24)[NN] += NN + 1; returns NN (or 255 on error). */
#define PROG(name, sec, ctx_type, n, map)                                             \
	SEC(sec)                                                                      \
	int name(ctx_type *ctx)                                                       \
	{                                                                             \
		if (bump(&map, n, delta_for(n)))                                           \
			return 255;                                                   \
		return n;                                                             \
	}

PROG(prog_00, "xdp", struct xdp_md, 0, map_00)
PROG(prog_01, "tc", struct __sk_buff, 1, map_01)
PROG(prog_02, "xdp", struct xdp_md, 2, map_02)
PROG(prog_03, "tc", struct __sk_buff, 3, map_03)
PROG(prog_04, "xdp", struct xdp_md, 4, map_04)
PROG(prog_05, "tc", struct __sk_buff, 5, map_05)
PROG(prog_06, "xdp", struct xdp_md, 6, map_06)
PROG(prog_07, "tc", struct __sk_buff, 7, map_07)
PROG(prog_08, "xdp", struct xdp_md, 8, map_08)
PROG(prog_09, "tc", struct __sk_buff, 9, map_09)
PROG(prog_10, "xdp", struct xdp_md, 10, map_10)
PROG(prog_11, "tc", struct __sk_buff, 11, map_11)
PROG(prog_12, "xdp", struct xdp_md, 12, map_12)
PROG(prog_13, "tc", struct __sk_buff, 13, map_13)
PROG(prog_14, "xdp", struct xdp_md, 14, map_14)
PROG(prog_15, "tc", struct __sk_buff, 15, map_15)
PROG(prog_16, "xdp", struct xdp_md, 16, map_16)
PROG(prog_17, "tc", struct __sk_buff, 17, map_17)
PROG(prog_18, "xdp", struct xdp_md, 18, map_18)
PROG(prog_19, "tc", struct __sk_buff, 19, map_19)
PROG(prog_20, "xdp", struct xdp_md, 20, map_20)
PROG(prog_21, "tc", struct __sk_buff, 21, map_21)
PROG(prog_22, "xdp", struct xdp_md, 22, map_22)
PROG(prog_23, "tc", struct __sk_buff, 23, map_23)
PROG(prog_24, "xdp", struct xdp_md, 24, map_00)
PROG(prog_25, "tc", struct __sk_buff, 25, map_01)
PROG(prog_26, "xdp", struct xdp_md, 26, map_02)
PROG(prog_27, "tc", struct __sk_buff, 27, map_03)
PROG(prog_28, "xdp", struct xdp_md, 28, map_04)
PROG(prog_29, "tc", struct __sk_buff, 29, map_05)
PROG(prog_30, "xdp", struct xdp_md, 30, map_06)
PROG(prog_31, "tc", struct __sk_buff, 31, map_07)
PROG(prog_32, "xdp", struct xdp_md, 32, map_08)
PROG(prog_33, "tc", struct __sk_buff, 33, map_09)
PROG(prog_34, "xdp", struct xdp_md, 34, map_10)
PROG(prog_35, "tc", struct __sk_buff, 35, map_11)
PROG(prog_36, "xdp", struct xdp_md, 36, map_12)
PROG(prog_37, "tc", struct __sk_buff, 37, map_13)
PROG(prog_38, "xdp", struct xdp_md, 38, map_14)
PROG(prog_39, "tc", struct __sk_buff, 39, map_15)
PROG(prog_40, "xdp", struct xdp_md, 40, map_16)
PROG(prog_41, "tc", struct __sk_buff, 41, map_17)
PROG(prog_42, "xdp", struct xdp_md, 42, map_18)
PROG(prog_43, "tc", struct __sk_buff, 43, map_19)
PROG(prog_44, "xdp", struct xdp_md, 44, map_20)
PROG(prog_45, "tc", struct __sk_buff, 45, map_21)
PROG(prog_46, "xdp", struct xdp_md, 46, map_22)
PROG(prog_47, "tc", struct __sk_buff, 47, map_23)
PROG(prog_48, "xdp", struct xdp_md, 48, map_00)
PROG(prog_49, "tc", struct __sk_buff, 49, map_01)
PROG(prog_50, "xdp", struct xdp_md, 50, map_02)
PROG(prog_51, "tc", struct __sk_buff, 51, map_03)
PROG(prog_52, "xdp", struct xdp_md, 52, map_04)
PROG(prog_53, "tc", struct __sk_buff, 53, map_05)
PROG(prog_54, "xdp", struct xdp_md, 54, map_06)
PROG(prog_55, "tc", struct __sk_buff, 55, map_07)
PROG(prog_56, "xdp", struct xdp_md, 56, map_08)
PROG(prog_57, "tc", struct __sk_buff, 57, map_09)
PROG(prog_58, "xdp", struct xdp_md, 58, map_10)
PROG(prog_59, "tc", struct __sk_buff, 59, map_11)
PROG(prog_60, "xdp", struct xdp_md, 60, map_12)
PROG(prog_61, "tc", struct __sk_buff, 61, map_13)
PROG(prog_62, "xdp", struct xdp_md, 62, map_14)
PROG(prog_63, "tc", struct __sk_buff, 63, map_15)
