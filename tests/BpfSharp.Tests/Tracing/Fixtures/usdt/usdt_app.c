// The USDT test program (built by scripts/build-native-fixtures.sh at -O0 and -O2). For every line
// "go SEED" on stdin it fires its probes once with values derived from SEED, and prints each probe's
// arguments as it passed them ("PROBE a0 a1 ..."), then "done". The tests attach, send lines, and compare
// what the BPF side read with bpf_usdt_arg against these lines.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>

void lib_fire(long seed);          // usdt_lib.c: the probe in the shared library
int guarded_fire(long seed);       // usdt_guarded.c: the probe behind a semaphore

long counter = 7;                  // a global: RIP-relative at -O2 in a PIE
long table[8] = { 10, 20, 30, 40, 50, 60, 70, 80 };
long threshold = 42;               // read straight from memory by the probe: RIP-relative at -O2
__thread long tls_value = 9;       // thread-local: a %fs segment operand, which pt_regs cannot resolve

// Inlined twice below: one probe, several sites, each with its own argument locations.
static inline __attribute__((always_inline)) void fire_args(signed char c, short s, int i, long l, unsigned u, unsigned long p)
{
	DTRACE_PROBE6(bpfsharp, args, c, s, i, l, u, p);
	printf("args %d %d %d %ld %u %lu\n", c, s, i, l, u, p);
}

__attribute__((noinline)) static void fire_memory(long seed)
{
	long idx = seed & 7;
	counter += seed;
	// A constant, a global (RIP-relative), an indexed element, a negative value.
	DTRACE_PROBE4(bpfsharp, memory, 5, counter, table[idx], -seed);
	printf("memory 5 %ld %ld %ld\n", counter, table[idx], -seed);
}

__attribute__((noinline)) static void fire_globals(long seed)
{
	threshold += seed;
	__asm__ __volatile__("" ::: "memory");
	DTRACE_PROBE1(bpfsharp, global, threshold);
	printf("global %ld\n", threshold);
	tls_value = seed;
	__asm__ __volatile__("" ::: "memory");
	DTRACE_PROBE1(bpfsharp, tls, tls_value);
}

int main(void)
{
	char line[128];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof line, stdin)) {
		if (strncmp(line, "go ", 3) != 0)
			continue;
		long seed = strtol(line + 3, NULL, 10);
		fire_args((signed char)-seed, (short)(seed * -3), (int)(seed * 1000 + 1), seed * -100000000000L, (unsigned)seed * 3000000000u, (unsigned long)line);
		fire_args((signed char)seed, (short)(seed * 7), -(int)seed, seed << 40, 4000000000u, (unsigned long)&counter);
		fire_memory(seed);
		fire_globals(seed);
		lib_fire(seed);
		printf("guarded %d\n", guarded_fire(seed));
		printf("done\n");
	}
	return 0;
}
