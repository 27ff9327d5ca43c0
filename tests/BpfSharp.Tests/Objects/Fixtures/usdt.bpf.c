// USDT programs written against libbpf's <bpf/usdt.bpf.h>, unchanged: each run sends the probe's arguments
// (bpf_usdt_arg), their count (bpf_usdt_arg_cnt) and the USDT cookie (bpf_usdt_cookie) through a ring buffer.
#define __TARGET_ARCH_x86
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#define MAX_ARGS 6

struct usdt_event {
	__u64 cookie;
	__u64 ip;
	__s32 count;
	__u32 pid;
	__s64 args[MAX_ARGS];
	__s32 errors[MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} usdt_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} usdt_runs SEC(".maps");

static __always_inline int report(struct pt_regs *ctx)
{
	struct usdt_event *e = bpf_ringbuf_reserve(&usdt_events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->cookie = bpf_usdt_cookie(ctx);
	e->ip = PT_REGS_IP(ctx);
	e->count = bpf_usdt_arg_cnt(ctx);
	e->pid = bpf_get_current_pid_tgid() >> 32;
	for (int i = 0; i < MAX_ARGS; i++) {
		long v;
		e->errors[i] = bpf_usdt_arg(ctx, i, &v);
		e->args[i] = v;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

// Attached by the tests with AttachUsdt (the section names no target).
SEC("usdt")
int on_usdt(struct pt_regs *ctx)
{
	return report(ctx);
}

// Auto-attached: libstdc++'s probe at every throw, arguments (object, type_info).
SEC("usdt/libstdc++.so.6:libstdcxx:throw")
int on_throw(struct pt_regs *ctx)
{
	return report(ctx);
}

// Counts its runs: the child-process tests watch it.
SEC("usdt")
int count_usdt(struct pt_regs *ctx)
{
	__u32 zero = 0;
	__u64 *runs = bpf_map_lookup_elem(&usdt_runs, &zero);
	if (runs)
		__sync_fetch_and_add(runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
