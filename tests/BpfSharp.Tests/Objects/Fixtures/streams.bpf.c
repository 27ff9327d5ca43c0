// SPDX-License-Identifier: GPL-2.0
// Program streams (Linux 6.17): programs printing to their stdout and stderr with the stream printk kfunc,
// and a loop the kernel stops (a timed may_goto) and reports on the program's stderr. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

// enum bpf_stream_id is newer than the 6.1 UAPI headers.
#define STREAM_STDOUT 1
#define STREAM_STDERR 2

// 6.17 named the kfunc bpf_stream_vprintk, 6.18 bpf_stream_vprintk_impl (the verifier fills in aux__prog).
extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args, __u32 len__sz,
				   void *aux__prog) __ksym __weak;
extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args, __u32 len__sz,
			      void *aux__prog) __ksym __weak;

static __always_inline int stream_print(int stream, const char *fmt, const __u64 *args, __u32 size)
{
	if (!!(bpf_stream_vprintk_impl))
		return bpf_stream_vprintk_impl(stream, fmt, args, size, NULL);
	if (!!(bpf_stream_vprintk))
		return bpf_stream_vprintk(stream, fmt, args, size, NULL);
	return -1;
}

int printed_out, printed_err;

// Prints "hello 42 from bpfsharp 2a\n" to stdout and "warning 7\n" to stderr; returns 0 when both prints worked.
SEC("syscall")
int say_hello(void *ctx)
{
	static const char out_fmt[] = "hello %d from bpfsharp %x\n";
	static const char err_fmt[] = "warning %d\n";
	__u64 out_args[2] = { 42, 42 };
	__u64 err_args[1] = { 7 };

	printed_out = stream_print(STREAM_STDOUT, out_fmt, out_args, sizeof(out_args));
	printed_err = stream_print(STREAM_STDERR, err_fmt, err_args, sizeof(err_args));
	return printed_out | printed_err;
}

// Loops until the kernel's may_goto budget runs out: on x86-64 (timed may_goto) the kernel stops it after its
// time limit and writes "ERROR: Timeout detected for may_goto instruction" and a call trace to stderr.
SEC("syscall")
int spin(void *ctx)
{
	for (;;) {
		asm volatile goto("may_goto %l[out]" :::: out);
	}
out:
	return 0;
}
