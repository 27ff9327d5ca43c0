// CO-RE fixture (the failing half of core_reloc.bpf.c): local views of kernel types whose layout differs from the kernel's (reordered fields,
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

__u64 missing_read;

// Reads a field the kernel does not have with no fallback: loading it must fail, naming the relocation.
SEC("raw_tp/sys_enter")
int core_missing_field(void *ctx)
{
	struct task_struct___local *t = (void *)bpf_get_current_task();

	missing_read = BPF_CORE_READ(t, not_in_kernel);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
