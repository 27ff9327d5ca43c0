// CO-RE fixture: local views of kernel types whose layout differs from the kernel's (reordered fields,
// missing fields, ___flavor names, bitfields, enums). No kernel header is used; the loader must relocate
// every access against the running kernel's BTF. Run the raw_tp programs with BPF_PROG_TEST_RUN: they run
// in the calling thread's context and leave their results in .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef int pid_t;

// The kernel has pid before tgid and no such field as not_in_kernel.
struct task_struct___local {
	pid_t tgid;
	int not_in_kernel;
	pid_t pid;
	unsigned int sched_migrated : 1;
	unsigned int sched_reset_on_fork : 1;
	struct task_struct___local *real_parent;
} __attribute__((preserve_access_index));

struct no_such_struct_in_kernel {
	int x;
} __attribute__((preserve_access_index));

enum bpf_map_type___local {
	BPF_MAP_TYPE_RINGBUF___local = 1000,
	BPF_MAP_TYPE_NOT_IN_KERNEL___local = 1001,
};

__u64 pid, tgid, ppid_seen;
__u64 pid_offset, pid_size, pid_signed, tgid_offset;
__u64 missing_exists, pid_exists, missing_read;
__u64 bf_offset, bf_size, bf_lshift, bf_rshift, bf_value, bf_exists;
__u64 type_exists, missing_type_exists, type_size, type_matches;
__u64 enum_value, enum_exists, missing_enum_exists;

SEC("raw_tp/sys_enter")
int core_fields(void *ctx)
{
	struct task_struct___local *t = (void *)bpf_get_current_task();

	pid = BPF_CORE_READ(t, pid);
	tgid = BPF_CORE_READ(t, tgid);
	ppid_seen = BPF_CORE_READ(t, real_parent, tgid);
	pid_offset = bpf_core_field_offset(t->pid);
	pid_size = bpf_core_field_size(t->pid);
	pid_signed = __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED);
	tgid_offset = bpf_core_field_offset(t->tgid);
	pid_exists = bpf_core_field_exists(t->pid);
	missing_exists = bpf_core_field_exists(t->not_in_kernel);
	// The fallback branch: the read of a field the kernel lacks is poisoned but never reached.
	if (bpf_core_field_exists(t->not_in_kernel))
		missing_read = BPF_CORE_READ(t, not_in_kernel);
	else
		missing_read = 12345;
	return 0;
}

SEC("raw_tp/sys_enter")
int core_bitfields(void *ctx)
{
	struct task_struct___local *t = (void *)bpf_get_current_task();

	bf_offset = __builtin_preserve_field_info(t->sched_migrated, BPF_FIELD_BYTE_OFFSET);
	bf_size = __builtin_preserve_field_info(t->sched_migrated, BPF_FIELD_BYTE_SIZE);
	bf_lshift = __builtin_preserve_field_info(t->sched_migrated, BPF_FIELD_LSHIFT_U64);
	bf_rshift = __builtin_preserve_field_info(t->sched_migrated, BPF_FIELD_RSHIFT_U64);
	bf_exists = bpf_core_field_exists(t->sched_reset_on_fork);
	bf_value = BPF_CORE_READ_BITFIELD_PROBED(t, sched_migrated);
	return 0;
}

SEC("raw_tp/sys_enter")
int core_types(void *ctx)
{
	type_exists = bpf_core_type_exists(struct task_struct___local);
	missing_type_exists = bpf_core_type_exists(struct no_such_struct_in_kernel);
	type_size = bpf_core_type_size(struct task_struct___local);
	enum_value = bpf_core_enum_value(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
	enum_exists = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
	missing_enum_exists = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_NOT_IN_KERNEL___local);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
