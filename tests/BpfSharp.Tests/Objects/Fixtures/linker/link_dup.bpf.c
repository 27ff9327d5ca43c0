// Static-linking fixture for a refused link: a second strong definition of link_b's twice().
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int twice(int x)
{
	return x + x;
}

SEC("xdp")
int xdp_dup(struct xdp_md *ctx)
{
	return twice(1);
}
