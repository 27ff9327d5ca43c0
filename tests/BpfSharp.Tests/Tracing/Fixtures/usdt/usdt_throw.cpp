// Throws an int for every line "go" on stdin and prints the exception object's address and &typeid(int):
// the two arguments of libstdc++'s libstdcxx:throw probe.
#include <cstdio>
#include <cstring>
#include <typeinfo>

int main()
{
	char line[64];
	setvbuf(stdout, nullptr, _IOLBF, 0);
	std::printf("ready\n");
	while (std::fgets(line, sizeof line, stdin)) {
		try {
			throw 42;
		} catch (int &e) {
			std::printf("throw %lu %lu\n", (unsigned long)&e, (unsigned long)&typeid(int));
		}
		std::printf("done\n");
	}
	return 0;
}
