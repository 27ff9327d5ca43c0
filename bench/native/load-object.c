// The C side of bench/process_load.py: one process that opens and loads one BPF object with libbpf, attaches
// nothing, closes it and exits (0 when it loaded) - what `bpfsharp object load OBJECT` does, to compare process
// wall times (start-up included) object by object.
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *format, va_list args)
{
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "%s: open failed\n", argv[1]);
		return 1;
	}
	int err = bpf_object__load(obj);
	if (err)
		fprintf(stderr, "%s: load: %s\n", argv[1], strerror(-err));
	else
		printf("%s: loaded\n", argv[1]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
