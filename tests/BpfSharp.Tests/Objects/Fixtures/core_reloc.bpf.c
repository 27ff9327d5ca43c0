// SPDX-License-Identifier: GPL-2.0
// CO-RE relocations against the running kernel's BTF, without vmlinux.h: a hand-written, partial
// struct task_struct with preserve_access_index, field offsets, field existence and size, type
// existence. The only fixture that needs CO-RE. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

/* Only the members used, in any order: the loader finds the real offsets in the kernel's BTF. */
struct task_struct {
	int tgid;
	int pid;
	struct task_struct *real_parent;
	int bpfsharp_no_such_field;
} __attribute__((preserve_access_index));

/* Returns a bit mask, 63 when every relocation was resolved correctly:
 *   1: task->tgid (read through CO-RE) equals bpf_get_current_pid_tgid() >> 32
 *   2: task->pid equals the low 32 bits of bpf_get_current_pid_tgid()
 *   4: bpf_core_field_exists(task->real_parent) is true
 *   8: bpf_core_field_exists(task->bpfsharp_no_such_field) is false
 *  16: bpf_core_type_exists(struct task_struct) is true
 *  32: bpf_core_field_size(task->pid) is 4 */
SEC("raw_tp/sys_enter")
int core_relocs(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	int result = 0;

	if (BPF_CORE_READ(task, tgid) == (int)(id >> 32))
		result |= 1;
	if (BPF_CORE_READ(task, pid) == (int)(__u32)id)
		result |= 2;
	if (bpf_core_field_exists(task->real_parent))
		result |= 4;
	if (!bpf_core_field_exists(task->bpfsharp_no_such_field))
		result |= 8;
	if (bpf_core_type_exists(struct task_struct))
		result |= 16;
	if (bpf_core_field_size(task->pid) == 4)
		result |= 32;
	return result;
}
