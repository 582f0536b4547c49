/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exit0 - the program the spawn benchmark starts: linked statically and
 * doing nothing, so that what is measured is the start-up machinery.
 */
int
main(void)
{
	return 0;
}
