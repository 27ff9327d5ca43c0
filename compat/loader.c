// The libbpf side of the compatibility harness: what compat/BpfSharp.Compat does, through libbpf.
// For every object named on stdin (one a line: its path, then optionally tab-separated names of programs to
// skip, "*" for the whole-object attempt; the driver resumes after a crash that way): each program alone (autoload off for the others),
// load, attach by section name (bpf_program__attach), detach; then the whole object with its default
// autoload, load, attach every loaded program, detach. One tab-separated line per attempt (README in
// compat/compat.py):
//   R <object> <program|*> <section> <load: ok|ERRNO> <attach: ok|ERRNO|-|N/M> <load error> <attach error>
// Before each attempt a line "B <object> <program>" says what is being tried, so that the driver can name
// the attempt a crash or a hang interrupted. stdout is flushed after every line.
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libbpf reports why in its warnings, not in the errno: keep the first warning of an attempt (the one that
// names the failing program or map; the verifier log follows it).
static char first_warning[240];

static int keep_first_warning(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level != LIBBPF_WARN || first_warning[0])
		return 0;
	vsnprintf(first_warning, sizeof(first_warning), format, args);
	for (char *c = first_warning; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	size_t n = strlen(first_warning);
	while (n && first_warning[n - 1] == ' ')
		first_warning[--n] = 0;
	return 0;
}

static const char *errno_name(int err)
{
	if (err < 0)
		err = -err;
	const char *name = strerrorname_np(err);
	static char unknown[32];
	if (name)
		return name;
	snprintf(unknown, sizeof(unknown), "E%d", err);
	return unknown;
}

static void begin(const char *path, const char *program)
{
	first_warning[0] = 0;
	printf("B\t%s\t%s\n", path, program);
	fflush(stdout);
}

static void result(const char *path, const char *program, const char *section, const char *load,
		   const char *attach, const char *load_error, const char *attach_error)
{
	printf("R\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", path, program, section, load, attach, load_error, attach_error);
	fflush(stdout);
}

static struct bpf_object *open_object(const char *path, const char *program)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		char load[64];
		snprintf(load, sizeof(load), "open:%s", errno_name(errno));
		result(path, program, "-", load, "-", first_warning, "");
	}
	return obj;
}

// Loads the object with one program's autoload on and the others' off, attaches that program, detaches.
static void one_program(const char *path, const char *name)
{
	begin(path, name);
	struct bpf_object *obj = open_object(path, name);
	if (!obj)
		return;
	struct bpf_program *prog, *target = NULL;
	bpf_object__for_each_program(prog, obj) {
		int mine = strcmp(bpf_program__name(prog), name) == 0;
		bpf_program__set_autoload(prog, mine);
		if (mine)
			target = prog;
	}
	const char *section = target ? bpf_program__section_name(target) : "-";
	int err = bpf_object__load(obj);
	if (err) {
		result(path, name, section, errno_name(err), "-", first_warning, "");
	} else {
		first_warning[0] = 0;
		struct bpf_link *link = bpf_program__attach(target);
		if (link) {
			bpf_link__destroy(link);
			result(path, name, section, "ok", "ok", "", "");
		} else {
			int attach_err = errno;
			result(path, name, section, "ok", errno_name(attach_err), "", first_warning);
		}
	}
	bpf_object__close(obj);
}

// Loads the object as it is (default autoload), attaches every loaded program, detaches them all.
static void whole_object(const char *path)
{
	begin(path, "*");
	struct bpf_object *obj = open_object(path, "*");
	if (!obj)
		return;
	int err = bpf_object__load(obj);
	if (err) {
		result(path, "*", "-", errno_name(err), "-", first_warning, "");
		bpf_object__close(obj);
		return;
	}
	char load_warning[sizeof(first_warning)];
	strcpy(load_warning, first_warning);
	struct bpf_link *links[1024];
	int loaded = 0, attached = 0;
	char attach_error[sizeof(first_warning) + 64] = "";
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		loaded++;
		first_warning[0] = 0;
		struct bpf_link *link = bpf_program__attach(prog);
		if (link && attached < 1024)
			links[attached++] = link;
		else if (link)
			bpf_link__destroy(link);
		else if (!attach_error[0])
			snprintf(attach_error, sizeof(attach_error), "%s: %s", bpf_program__name(prog), errno_name(errno));
	}
	for (int i = 0; i < attached; i++)
		bpf_link__destroy(links[i]);
	char attach[32];
	snprintf(attach, sizeof(attach), "%d/%d", attached, loaded);
	result(path, "*", "-", "ok", attach, load_warning, attach_error);
	bpf_object__close(obj);
}

// Whether name is one of the tab-separated names after the path.
static int skipped(const char *skip, const char *name)
{
	size_t n = strlen(name);
	for (const char *s = skip; s && *s; s = strchr(s, '\t') ? strchr(s, '\t') + 1 : NULL)
		if (strncmp(s, name, n) == 0 && (s[n] == '\t' || s[n] == 0))
			return 1;
	return 0;
}

int main(void)
{
	libbpf_set_print(keep_first_warning);
	static char path[65536];
	while (fgets(path, sizeof(path), stdin)) {
		path[strcspn(path, "\n")] = 0;
		char *skip = strchr(path, '\t');
		if (skip)
			*skip++ = 0;
		if (!path[0])
			continue;
		// The program names, from an open that loads nothing.
		first_warning[0] = 0;
		struct bpf_object *obj = bpf_object__open_file(path, NULL);
		if (!obj) {
			char load[64];
			snprintf(load, sizeof(load), "open:%s", errno_name(errno));
			result(path, "*", "-", load, "-", first_warning, "");
			continue;
		}
		size_t count = 0;
		struct bpf_program *prog;
		bpf_object__for_each_program(prog, obj)
			count++;
		char **names = calloc(count ? count : 1, sizeof(char *));
		size_t i = 0;
		bpf_object__for_each_program(prog, obj)
			names[i++] = strdup(bpf_program__name(prog));
		bpf_object__close(obj);
		for (i = 0; i < count; i++) {
			if (!skipped(skip, names[i]))
				one_program(path, names[i]);
			free(names[i]);
		}
		free(names);
		if (!skipped(skip, "*"))
			whole_object(path);
	}
	return 0;
}
