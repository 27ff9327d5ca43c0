// The target process of the selftests comparison (UsdtSelftestsValueTests): probes test:usdt0, test:usdt3 and
// test:usdt12, each guarded by its semaphore, with the arguments the kernel selftests' test_usdt.c programs expect
// (registers, stack slots, constants, globals, array elements, a negative char), fired once per "go" line on
// standard input; prints "fired N" (N: how many probes had their semaphore raised), or "bla ADDRESS" for "where".
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <string.h>
#include <sys/sdt.h>

unsigned short test_usdt0_semaphore __attribute__((section(".probes"), used));
unsigned short test_usdt3_semaphore __attribute__((section(".probes"), used));
unsigned short test_usdt12_semaphore __attribute__((section(".probes"), used));

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
	return fired;
}

int main(void)
{
	char line[64];
	setvbuf(stdout, NULL, _IOLBF, 0);
	puts("ready");
	while (fgets(line, sizeof line, stdin)) {
		if (strncmp(line, "where", 5) == 0)
			printf("bla %llu\n", (unsigned long long)(unsigned long)&bla);
		else
			printf("fired %d\n", fire(pair.x));
	}
	return 0;
}
