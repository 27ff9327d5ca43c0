// SPDX-License-Identifier: GPL-2.0
// Global data in every section the loader turns into an array map: .data, .bss, .rodata and the
// custom .data.<name> / .rodata.<name>; scalars, arrays and structs; a static (local-symbol) variable.
// A syscall program copies them all into its context buffer. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct pair {
	__u32 a;
	__u32 b;
};

struct config {
	__u32 mult;
	__u32 action;
	__u64 magic;
};

/* .data */
__u32 data_int = 7;
__u64 data_array[4] = { 1, 2, 3, 4 };
struct pair data_pair = { .a = 10, .b = 20 };
static volatile __u32 static_data = 9; /* a local symbol: relocated against the .data section */

/* .bss */
__u32 bss_int;
__u64 bss_array[8];
struct pair bss_pair;

/* .rodata: const volatile, so the programs really load them; a loader can set them before load. */
const volatile __u32 ro_mult = 3;
const volatile struct config ro_config = { .mult = 2, .action = XDP_PASS, .magic = 0x0123456789abcdefULL };
const volatile char ro_greeting[8] = "hello";

/* custom sections: one more .data-like and one more .rodata-like map */
SEC(".data.counters") __u32 counter = 5;
SEC(".data.counters") __u32 counter_step = 1;
SEC(".rodata.limits") const volatile __u32 limit = 1000;

/* read_globals' context: an 80-byte buffer the caller passes in (ctx_in) and reads back. */
struct snapshot {
	__u32 data_int;       /*  0 */
	__u32 static_data;    /*  4 */
	__u64 data_array_sum; /*  8 */
	__u32 data_pair_a;    /* 16 */
	__u32 data_pair_b;    /* 20 */
	__u32 bss_int;        /* 24 */
	__u32 bss_pair_b;     /* 28 */
	__u64 bss_array_sum;  /* 32 */
	__u32 ro_mult;        /* 40 */
	__u32 ro_action;      /* 44 */
	__u64 ro_magic;       /* 48 */
	__u32 counter;        /* 56 */
	__u32 limit;          /* 60 */
	char greeting[8];     /* 64 */
	__u32 config_mult;    /* 72 */
	__u32 counter_step;   /* 76 */
};
_Static_assert(sizeof(struct snapshot) == 80, "snapshot layout");

/* Copies every global into ctx; returns data_int * ro_mult + counter (7 * 3 + 5 = 26 initially). */
SEC("syscall")
int read_globals(struct snapshot *ctx)
{
	__u64 sum = 0;
	int i;

	ctx->data_int = data_int;
	ctx->static_data = static_data;
	for (i = 0; i < 4; i++)
		sum += data_array[i];
	ctx->data_array_sum = sum;
	ctx->data_pair_a = data_pair.a;
	ctx->data_pair_b = data_pair.b;
	ctx->bss_int = bss_int;
	ctx->bss_pair_b = bss_pair.b;
	sum = 0;
	for (i = 0; i < 8; i++)
		sum += bss_array[i];
	ctx->bss_array_sum = sum;
	ctx->ro_mult = ro_mult;
	ctx->ro_action = ro_config.action;
	ctx->ro_magic = ro_config.magic;
	ctx->counter = counter;
	ctx->limit = limit;
	for (i = 0; i < 8; i++)
		ctx->greeting[i] = ro_greeting[i];
	ctx->config_mult = ro_config.mult;
	ctx->counter_step = counter_step;
	return data_int * ro_mult + counter;
}

/* Changes the writable globals (needs no context); returns the new bss_int (1 after the first run). */
SEC("syscall")
int bump_globals(void *ctx)
{
	data_int += 1;
	static_data += 1;
	data_array[1] += 10;
	data_pair.b += 1;
	bss_int += 1;
	bss_array[7] = 77;
	bss_pair.a = 1;
	bss_pair.b = 2;
	counter += counter_step;
	return bss_int;
}

/* Returns ro_config.action (XDP_PASS = 2 unless set before load), or XDP_DROP (1) when the packet is
 * longer than limit (1000) bytes. */
SEC("xdp")
int xdp_action(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data > limit)
		return XDP_DROP;
	return ro_config.action;
}
