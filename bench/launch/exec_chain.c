/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exec_chain - the least a launcher built on the C library can be: linked
 * statically, it replaces itself with its first argument at once. Started
 * in place of cloudabi-run, it shows what a launcher's own exec and C
 * library start-up cost before it does any work.
 */
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	execv(argv[1], argv + 1);
	return 127;
}
