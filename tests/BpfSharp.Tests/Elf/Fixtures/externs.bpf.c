// Undefined (extern) symbols, a common symbol and a weak global, for symbol-table
// edge cases: SHN_UNDEF, SHN_COMMON (built with -fcommon), STB_WEAK and STV_HIDDEN.
// Rebuild: clang-19 -g -O2 -target bpf -I/usr/include/x86_64-linux-gnu -fcommon -c externs.bpf.c -o externs.bpf.o
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));
extern int bpf_ext_counter __attribute__((weak));

int shared_counter;                                  /* common with -fcommon */
__attribute__((weak)) int tunable = 3;               /* weak global in .data */
static volatile int local_state __attribute__((used)); /* local object in .bss */
__attribute__((visibility("hidden"))) int hidden_total = 5; /* STV_HIDDEN */

SEC("kprobe/do_nanosleep")
int on_sleep(void *ctx)
{
	shared_counter += tunable + hidden_total;
	local_state = (int)LINUX_KERNEL_VERSION;
	if (&bpf_ext_counter)
		shared_counter++;
	return 0;
}
