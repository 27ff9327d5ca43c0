// The target process of the selftests comparison (UsdtSelftestsValueTests): probes test:usdt0, test:usdt3 and
// test:usdt12, each guarded by its semaphore, with the arguments the kernel selftests' test_usdt.c programs expect
// (registers, stack slots, constants, globals, array elements, a negative char), and test:usdt_100, one probe at a
// hundred inlined sites passing 0..99 (a spec per site, as test_usdt_multispec.c expects), fired once per "go" line
// on standard input; prints "fired N" (N: how many probes had their semaphore raised), or "bla ADDRESS" for
// "where". test:usdt_300 (three hundred sites, more specs than usdt.bpf.h's default table holds) is never fired.
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <string.h>
#include <sys/sdt.h>

unsigned short test_usdt0_semaphore __attribute__((section(".probes"), used));
unsigned short test_usdt3_semaphore __attribute__((section(".probes"), used));
unsigned short test_usdt12_semaphore __attribute__((section(".probes"), used));
unsigned short test_usdt_100_semaphore __attribute__((section(".probes"), used));
unsigned short test_usdt_300_semaphore __attribute__((section(".probes"), used));

#define TEN(F, X) F(X + 0); F(X + 1); F(X + 2); F(X + 3); F(X + 4); F(X + 5); F(X + 6); F(X + 7); F(X + 8); F(X + 9)
#define HUNDRED(F, X) TEN(F, X); TEN(F, X + 10); TEN(F, X + 20); TEN(F, X + 30); TEN(F, X + 40); \
	TEN(F, X + 50); TEN(F, X + 60); TEN(F, X + 70); TEN(F, X + 80); TEN(F, X + 90)

static inline __attribute__((always_inline)) void one_of_100(int x) { STAP_PROBE1(test, usdt_100, x); }
static inline __attribute__((always_inline)) void one_of_300(int x) { STAP_PROBE1(test, usdt_300, x); }

static void __attribute__((noinline)) fire_100(void) { HUNDRED(one_of_100, 0); }
void __attribute__((noinline)) never_fired_300(void) { HUNDRED(one_of_300, 0); HUNDRED(one_of_300, 100); HUNDRED(one_of_300, 200); }

static volatile int slot = 2;
static volatile unsigned long long bla = 0xFEDCBA9876543210ULL;
static volatile short numbers[] = { -1, -2, -3, -4 };
static volatile struct { int x; signed char y; } pair = { 1, -127 };

static int __attribute__((noinline)) fire(int x)
{
	long y = 42;
	int fired = 0;
	if (test_usdt0_semaphore) {
		STAP_PROBE(test, usdt0);
		fired++;
	}
	if (test_usdt3_semaphore) {
		STAP_PROBE3(test, usdt3, x, y, &bla);
		fired++;
	}
	if (test_usdt12_semaphore) {
		STAP_PROBE12(test, usdt12, x, x + 1, y, x + y, 5, y / 7, bla, &bla, -9, numbers[x], numbers[slot], pair.y);
		fired++;
	}
	if (test_usdt_100_semaphore) {
		fire_100();
		fired++;
	}
	return fired;
}

int main(void)
{
	char line[64];
	setvbuf(stdout, NULL, _IOLBF, 0);
	puts("ready");
	while (fgets(line, sizeof line, stdin)) {
		if (strncmp(line, "never", 5) == 0)
			never_fired_300();
		else if (strncmp(line, "where", 5) == 0)
			printf("bla %llu\n", (unsigned long long)(unsigned long)&bla);
		else
			printf("fired %d\n", fire(pair.x));
	}
	return 0;
}
