// The libbpf witness of the USDT tests: loads a BPF object with the distribution's libbpf, attaches PROGRAM to
// BINARY's PROVIDER:NAME with bpf_program__attach_usdt (every process), and prints, one per line in hex, the
// non-empty values libbpf wrote into __bpf_usdt_specs; the tests compare them with BpfSharp's.
// Usage: usdt_libbpf_specs OBJECT PROGRAM BINARY PROVIDER NAME
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s OBJECT PROGRAM BINARY PROVIDER NAME\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "libbpf could not load %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
	struct bpf_link *link = prog ? bpf_program__attach_usdt(prog, -1, argv[3], argv[4], argv[5], NULL) : NULL;
	if (!link) {
		fprintf(stderr, "libbpf could not attach %s to %s:%s:%s (errno %d)\n", argv[2], argv[3], argv[4], argv[5], errno);
		return 1;
	}
	struct bpf_map *specs = bpf_object__find_map_by_name(obj, "__bpf_usdt_specs");
	unsigned char value[1024], zero[1024] = { 0 };
	unsigned size = bpf_map__value_size(specs);
	for (int id = 0; id < (int)bpf_map__max_entries(specs) && size <= sizeof(value); id++) {
		if (bpf_map_lookup_elem(bpf_map__fd(specs), &id, value) || !memcmp(value, zero, size))
			continue;
		for (unsigned i = 0; i < size; i++)
			printf("%02X", value[i]);
		printf("\n");
	}
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
