// The shared library of the USDT test program: a probe in a library, found by path or through the
// process's mappings.
#include <stdio.h>
#include <sys/sdt.h>

__attribute__((visibility("default"))) void lib_fire(long seed)
{
	DTRACE_PROBE2(bpfsharp_lib, call, seed + 1, seed * 2);
	printf("lib %ld %ld\n", seed + 1, seed * 2);
}
