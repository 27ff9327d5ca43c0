// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// End-to-end fixture: a second object in the same project, without vmlinux.h; counts getppid() calls in .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile unsigned int target_pid = 0;
unsigned long long calls = 0;

SEC("tp/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_pid)
		__sync_fetch_and_add(&calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
