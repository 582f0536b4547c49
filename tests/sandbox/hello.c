/*
 * hello.c - a program linked with the shared libargdata of the build tree:
 * started confined, its loader must still find libargdata (through
 * RUNPATH $ORIGIN) and what libargdata needs. Writes "hello" to
 * descriptor 0.
 */
#include <argdata.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	argdata_t *ad = argdata_create_str_c("hello\n");
	const char *s;
	size_t len;

	if (ad == NULL || argdata_get_str(ad, &s, &len) != 0)
		return 1;
	if (write(0, s, len) != (ssize_t)len)
		return 1;
	argdata_free(ad);
	return 0;
}
