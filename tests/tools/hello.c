/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Built against the build tree by build-against.sh, through the flags of
 * the uninstalled pkg-config file only: both public headers must be found
 * as <argdata.h> and <program.h>, and the library must link and run.
 */
#include <argdata.h>
#include <program.h>

#include <stdio.h>
#include <string.h>

int
main(void)
{
	static const unsigned char want[] = {0x07, 0x81, 0x05, 0x82, 0x02, 0x01,
	    0x83, 0x08, 0x41, 0x00};
	argdata_t *zero = argdata_create_int(0);
	argdata_t *a = argdata_create_str_c("A");
	const argdata_t *entries[] = {zero, &argdata_true, a};
	argdata_t *seq = argdata_create_seq(entries, 3);
	unsigned char buf[sizeof(want)];
	size_t len;

	argdata_serialized_length(seq, &len, NULL);
	if (len != sizeof(want))
		return 1;
	argdata_serialize(seq, buf, NULL);
	printf("[0, true, \"A\"] %s\n",
	    memcmp(buf, want, len) == 0 ? "encodes as documented" : "differs");
	argdata_free(seq);
	argdata_free(a);
	argdata_free(zero);
	return 0;
}
