// Static-linking fixture, part three: a CO-RE program appended after link_a's and link_b's in
// raw_tp/sys_enter, so its CO-RE relocations and line info move; it also calls link_b's twice().
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef int pid_t;

// The kernel has pid before tgid: only CO-RE finds them.
struct task_struct___link {
	pid_t tgid;
	pid_t pid;
} __attribute__((preserve_access_index));

int twice(int x);

__u64 core_tgid, core_pid, core_twice;

SEC("raw_tp/sys_enter")
int core_ids(void *ctx)
{
	struct task_struct___link *t = (void *)bpf_get_current_task();

	core_tgid = BPF_CORE_READ(t, tgid);
	core_pid = BPF_CORE_READ(t, pid);
	core_twice = twice(21);
	return 0;
}
