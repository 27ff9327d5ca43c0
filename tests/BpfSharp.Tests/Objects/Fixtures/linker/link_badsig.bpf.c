// Static-linking fixture for a refused link: defines twice() with another signature than link_a declares.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline long twice(long x, long y)
{
	return x + y;
}

SEC("xdp")
int xdp_badsig(struct xdp_md *ctx)
{
	return twice(1, 2);
}
