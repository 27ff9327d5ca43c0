// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// opensnoop: one perf buffer record per openat() (tracepoint syscalls/sys_enter_openat), with the pid, the
// command, the flags as an enum of the common cases, and the path. The perf buffer counterpart of execsnoop.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define COMM_LEN 16
#define PATH_LEN 128

enum access {
	READ_ONLY = 0,
	WRITE_ONLY = 1,
	READ_WRITE = 2,
};

struct open_event {
	__u32 pid;
	enum access access;
	char comm[COMM_LEN];
	char path[PATH_LEN];
};

// Keeps struct open_event in the object's BTF, so tools can decode the records.
const struct open_event *const open_event_type __attribute__((used));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} opens SEC(".maps");

// The tracepoint's record, as its format file in tracefs describes it (syscall arguments are 8 bytes each).
struct sys_enter_openat_args {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 dfd;
	const char *filename;
	__u64 flags;
	__u64 mode;
};

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct sys_enter_openat_args *ctx)
{
	struct open_event e = {};
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.access = (enum access)(ctx->flags & 3);
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(e.path, sizeof(e.path), ctx->filename);
	bpf_perf_event_output(ctx, &opens, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
