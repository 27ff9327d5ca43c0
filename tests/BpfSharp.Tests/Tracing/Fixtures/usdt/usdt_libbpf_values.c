// The libbpf side of the selftests comparison: loads OBJECT (the kernel selftests' test_usdt.bpf.o) with the
// distribution's libbpf, sets my_pid to PID, attaches each PROGRAM to BINARY's test:PROGRAM probe (test:PROBE for
// PROGRAM=PROBE) in that process (usdt0 with cookie 0xcafedeadbeeffeed), printing "refused PROGRAM ERRNO" for one
// libbpf will not attach, then
// "ready"; after one line on standard input prints the object's .bss (what the programs recorded) in hex and exits.
// Usage: usdt_libbpf_values OBJECT PID BINARY PROGRAM[=PROBE]...
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static struct bpf_link *attach(struct bpf_object *obj, char *arg, int pid, const char *binary)
{
	char *probe = strchr(arg, '=');
	if (probe)
		*probe++ = 0;
	else
		probe = arg;
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = strcmp(arg, "usdt0") == 0 ? 0xcafedeadbeeffeedULL : 0);
	struct bpf_program *p = bpf_object__find_program_by_name(obj, arg);
	struct bpf_link *link = p ? bpf_program__attach_usdt(p, pid, binary, "test", probe, &opts) : NULL;
	if (!link)
		printf("refused %s=%s %d\n", arg, probe, errno);
	return link;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s OBJECT PID BINARY PROGRAM[=PROBE]...\n", argv[0]);
		return 2;
	}
	int pid = atoi(argv[2]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "libbpf could not load %s\n", argv[1]);
		return 1;
	}
	struct bpf_map *bss = NULL, *m;
	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".bss"))
			bss = m;
	/* Through the map, not bpf_map__initial_value(): libbpf maps .bss onto the kernel's map only for skeletons. */
	unsigned int size = bss ? bpf_map__value_size(bss) : 0, zero = 0;
	unsigned char *data = size ? calloc(1, size) : NULL;
	if (!data || size < sizeof(int) || bpf_map_lookup_elem(bpf_map__fd(bss), &zero, data)) {
		fprintf(stderr, "%s has no readable .bss\n", argv[1]);
		return 1;
	}
	memcpy(data, &pid, sizeof pid); /* my_pid is the first .bss variable (offset 0; the test checks) */
	if (bpf_map_update_elem(bpf_map__fd(bss), &zero, data, 0)) {
		fprintf(stderr, "could not set my_pid (errno %d)\n", errno);
		return 1;
	}
	struct bpf_link *links[16] = { 0 };
	for (int i = 4; i < argc && i - 4 < 16; i++)
		links[i - 4] = attach(obj, argv[i], pid, argv[3]);
	printf("ready\n");
	fflush(stdout);
	char line[16];
	if (!fgets(line, sizeof line, stdin))
		return 1;
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, data)) {
		fprintf(stderr, "could not read .bss (errno %d)\n", errno);
		return 1;
	}
	for (unsigned int i = 0; i < size; i++)
		printf("%02x", data[i]);
	printf("\n");
	for (int i = 0; i < 16; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}
