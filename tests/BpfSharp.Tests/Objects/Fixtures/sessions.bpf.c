// SPDX-License-Identifier: GPL-2.0
// Session probes: one program runs on a function's entry and on its return (uprobe.session, Linux 6.12;
// kprobe.session, 6.10). Entry returning 0 asks for the return run, 1 skips it; the session cookie carries a
// value from the entry to the return of the same call. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern __u64 *bpf_session_cookie(void) __ksym;
extern _Bool bpf_session_is_return(void) __ksym;

__u32 skip_return;                  // set from user space: 1 makes the entry skip the return run
__u64 entries, returns, cookies_matched, last_cookie;
__u64 kernel_entries, kernel_returns, kernel_cookies_matched;
__u64 auto_entries, auto_returns, auto_cookies_matched;

// Each entry stores a cookie unique to the call; its return finds it again.
static __always_inline int session(__u64 *entry_count, __u64 *return_count, __u64 *matched)
{
	__u64 *cookie = bpf_session_cookie();

	if (!bpf_session_is_return()) {
		*entry_count += 1;
		*cookie = 0xc0ffee0000000000ULL + *entry_count;
		if (skip_return)
			return 1;
		return 0;
	}
	*return_count += 1;
	last_cookie = *cookie;
	if (*cookie == 0xc0ffee0000000000ULL + *entry_count)
		*matched += 1;
	return 0;
}

SEC("uprobe.session")
int user_session(void *ctx)
{
	return session(&entries, &returns, &cookies_matched);
}

SEC("kprobe.session")
int kernel_session(void *ctx)
{
	return session(&kernel_entries, &kernel_returns, &kernel_cookies_matched);
}

// The section names its target: auto-attach makes the session link on every process's libc getsid.
SEC("uprobe.session/libc.so.6:getsid")
int auto_session(void *ctx)
{
	return session(&auto_entries, &auto_returns, &auto_cookies_matched);
}
