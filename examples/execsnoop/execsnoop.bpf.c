// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// execsnoop: one ring buffer record per successful exec (tracepoint sched/sched_process_exec), with the
// process's pid, its parent's pid, its uid, its command name and the file it executed.
//
// Built without vmlinux.h: the two kernel types it reads are declared here, the task_struct one with
// preserve_access_index so the loader relocates its field offsets to the running kernel's (CO-RE).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define COMM_LEN 16
#define FILENAME_LEN 64

struct event {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	char comm[COMM_LEN];
	char filename[FILENAME_LEN];
};

// Keeps struct event in the object's BTF (nothing else names it there), so tools can decode the records.
const struct event *const event_type __attribute__((used));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

// The tracepoint's record, as its format file in tracefs describes it.
struct sched_process_exec_args {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__u32 filename_loc; // __data_loc: offset in the low 16 bits, length in the high 16
	__s32 pid;
	__s32 old_pid;
};

struct task_struct {
	__s32 tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

SEC("tp/sched/sched_process_exec")
int handle_exec(struct sched_process_exec_args *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + (ctx->filename_loc & 0xFFFF));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
