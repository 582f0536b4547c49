/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hello.c - a program built on argdata-main and the shared libargdata of
 * the build tree: started confined, its loader must still find libargdata
 * (through RUNPATH $ORIGIN) and what libargdata needs. Its argdata is a
 * sequence holding one descriptor, to which it writes "hello".
 */
#include <argdata.h>
#include <program.h>
#include <stdlib.h>
#include <unistd.h>

void
program_main(const argdata_t *ad)
{
	argdata_seq_iterator_t it;
	const argdata_t *value;
	int fd;

	argdata_seq_iterate(ad, &it);
	if (!argdata_seq_get(&it, &value) || argdata_get_fd(value, &fd) != 0)
		exit(1);
	if (write(fd, "hello\n", 6) != 6)
		exit(1);
}
