// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// readline: what users type in bash, from a uretprobe on bash's readline() (the classic bashreadline).
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#define COMM_LEN 16
#define LINE_LEN 80

struct line {
	__u32 pid;
	__u32 uid;
	char comm[COMM_LEN];
	char text[LINE_LEN];
};

// Keeps struct line in the object's BTF, so tools can decode the records.
const struct line *const line_type __attribute__((used));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} lines SEC(".maps");

// readline() returns the line it read; on x86-64 the return value is in rax (struct pt_regs of <asm/ptrace.h>).
SEC("uretprobe//bin/bash:readline")
int bash_readline(struct pt_regs *ctx)
{
	const char *text = (const char *)ctx->rax;
	if (!text)
		return 0;
	struct line *l = bpf_ringbuf_reserve(&lines, sizeof(*l), 0);
	if (!l)
		return 0;
	l->pid = bpf_get_current_pid_tgid() >> 32;
	l->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(l->comm, sizeof(l->comm));
	bpf_probe_read_user_str(l->text, sizeof(l->text), text);
	bpf_ringbuf_submit(l, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
