// A probe guarded by a semaphore: the kernel increments bpfsharp_guarded_semaphore while a uprobe with
// that reference counter offset is attached, and the program only fires the probe (and pays for its
// arguments) while it is non-zero. Returns the semaphore's value.
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <sys/sdt.h>

__extension__ unsigned short bpfsharp_guarded_semaphore __attribute__((unused)) __attribute__((section(".probes")));

int guarded_fire(long seed)
{
	unsigned short active = bpfsharp_guarded_semaphore;
	if (active) {
		DTRACE_PROBE1(bpfsharp, guarded, seed + 1000);
		printf("guarded-fired %ld\n", seed + 1000);
	}
	return active;
}
