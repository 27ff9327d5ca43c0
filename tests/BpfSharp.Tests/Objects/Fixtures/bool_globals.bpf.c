// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
// One-byte C bools among the globals, each beside another byte: reading or writing a bool must touch its one
// byte only (C's bool is 1 byte; .NET's marshalled BOOL is 4).
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

bool enabled = true;
__u8 after_enabled = 7;
const volatile bool verbose = false;
const volatile __u8 after_verbose = 9;

SEC("raw_tp/sys_enter")
int tick(void *ctx)
{
	if (enabled && !verbose)
		after_enabled += after_verbose;
	return 0;
}
