// A tiny x86-64 program with two USDT probes, one guarded by a semaphore, written out the way <sys/sdt.h>
// lays them out (that header is not needed to build it). Also the source of the x86-64 relocatable object
// with SHT_RELA sections.
// Rebuild: clang-19 -O1 -fPIE -c usdt.c -o usdt.o && clang-19 -pie -Wl,--build-id=none usdt.o -o usdt
__attribute__((section(".probes"), used)) volatile unsigned short demo_work_semaphore;

// A note per probe: pc (the nop), the link-time address of .stapsdt.base, the semaphore, provider, name,
// arguments. The note section is not allocated, so the linker writes final addresses into it.
#define PROBE_NOTE(provider, name, sema, args)                                             \
	__asm__ __volatile__("990: nop\n"                                                     \
			     ".pushsection .note.stapsdt,\"\",\"note\"\n"                      \
			     ".balign 4\n"                                                     \
			     ".4byte 992f-991f, 994f-993f, 3\n"                                \
			     "991: .asciz \"stapsdt\"\n"                                       \
			     "992: .balign 4\n"                                                \
			     "993: .8byte 990b\n"                                              \
			     ".8byte _.stapsdt.base\n"                                         \
			     ".8byte " sema "\n"                                               \
			     ".asciz \"" provider "\"\n"                                       \
			     ".asciz \"" name "\"\n"                                           \
			     ".asciz \"" args "\"\n"                                           \
			     "994: .balign 4\n"                                                \
			     ".popsection\n"                                                   \
			     ".ifndef _.stapsdt.base\n"                                        \
			     ".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
			     ".weak _.stapsdt.base\n"                                          \
			     ".hidden _.stapsdt.base\n"                                        \
			     "_.stapsdt.base: .space 1\n"                                      \
			     ".size _.stapsdt.base, 1\n"                                       \
			     ".popsection\n"                                                   \
			     ".endif\n")

__attribute__((noinline)) int demo_work(int x)
{
	PROBE_NOTE("demo", "work_start", "demo_work_semaphore", "-4@%edi");
	x = x * 3 + 1;
	PROBE_NOTE("demo", "work_done", "0", "");
	return x;
}

int main(int argc, char **argv)
{
	(void)argv;
	return demo_work(argc) & 1;
}
