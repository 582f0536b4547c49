/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-codec: times libargdata against msgpack-c and libcbor on the same
 * data in the same run, and prints a table of medians with ratios and the
 * goals of issue 2. A program that prints, not a timed test.
 *
 *	bench-codec [-n runs] [-q] [-s subject]
 *
 * -q divides every size by 100, for a quick check that everything works.
 * -s runs one subject only (config, ints, deep or fds), for profiling.
 *
 * Memory freed by one run is kept for the next (glibc's mmap and trim
 * thresholds raised), so that every codec is timed on warm memory, as in a
 * long-running server, rather than on the kernel clearing fresh pages.
 */
#define _GNU_SOURCE
#include <err.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "stats.h"

static const struct codec *const codecs[] = {&codec_argdata, &codec_msgpack,
    &codec_cbor};
#define NCODECS 3

static const char *const subject_names[] = {"config", "ints", "deep"};

/*
 * The other ways a program can do the same work with libargdata (the
 * streaming encoder, typed extraction), timed in the same rounds as the
 * codecs and compared with msgpack-c's time in each round.
 */
static const struct codec *const variants[] = {&codec_argdata_stream,
    &codec_argdata_typed};
#define NVARIANTS 2

struct variant_result {
	double build, decode;
	double build_ratio, decode_ratio;
	struct walk_sum sum;
};

/* Fills the medians of v's times and of its ratios to msgpack's. */
static void
summarize_variant(double *tv, double *tmp, size_t runs, double *median,
    double *ratio)
{
	double *r;

	if (tv == NULL || tmp == NULL)
		return;
	if ((r = calloc(runs, sizeof(double))) == NULL)
		err(1, "calloc");
	for (size_t i = 0; i < runs; i++)
		r[i] = tv[i] / tmp[i];
	*ratio = bench_median(r, runs);
	free(r);
	*median = bench_median(tv, runs);
}

static uint64_t rng = 0x9e3779b97f4a7c15;

/* xorshift64*: the same data on every run and every machine. */
static uint64_t
next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1d;
}

static void
make_dataset(struct dataset *ds, size_t scale)
{
	ds->nconfig = 10000 / scale;
	ds->nints = 1000000 / scale;
	ds->depth = 1000000 / scale;
	ds->nfds = 200000 / scale;
	ds->config = calloc(ds->nconfig, sizeof(ds->config[0]));
	ds->ints = calloc(ds->nints, sizeof(ds->ints[0]));
	ds->fds = calloc(ds->nfds, sizeof(ds->fds[0]));
	if (ds->config == NULL || ds->ints == NULL || ds->fds == NULL)
		err(1, "calloc");
	for (size_t i = 0; i < ds->nconfig; i++) {
		struct config_entry *e = &ds->config[i];
		e->keylen =
		    (size_t)snprintf(e->key, sizeof(e->key), "key-%zu", i);
		snprintf(e->name, sizeof(e->name), "service-%012zu", i * 7919);
		e->port = 1024 + (int64_t)(next_random() % 60000);
		e->enabled = next_random() & 1;
		e->ratio = (double)(next_random() % 1000000) / 1000.0;
		e->sock = 3;
	}
	/* Bit lengths spread evenly over 0..63, either sign. */
	for (size_t i = 0; i < ds->nints; i++) {
		unsigned bits = next_random() % 64;
		int64_t v =
		    (int64_t)(next_random() & ((UINT64_C(1) << bits) - 1));
		ds->ints[i] = next_random() & 1 ? -v : v;
	}
	/* Each of nfds / 2 descriptors twice, in random order. */
	for (size_t i = 0; i < ds->nfds; i++)
		ds->fds[i] = 3 + (int)(i / 2);
	for (size_t i = ds->nfds; i > 1; i--) {
		size_t j = next_random() % i;
		int t = ds->fds[i - 1];
		ds->fds[i - 1] = ds->fds[j];
		ds->fds[j] = t;
	}
}

/*
 * Medians in seconds, or a negative value when the codec cannot do it;
 * the ratios are argdata's time over this codec's, the median of the
 * rounds' ratios.
 */
struct result {
	double build, decode;
	double build_ratio, decode_ratio;
	size_t size;
	struct walk_sum sum;
};

/*
 * Fills r[c].build or r[c].decode with the median of t[c], and the ratios
 * with the median of t[0][i] / t[c][i]; codecs that cannot do it have NULL.
 */
static void
summarize(double *t[NCODECS], size_t runs, struct result r[NCODECS],
    bool decode)
{
	double *ratio = calloc(runs, sizeof(double));
	if (ratio == NULL)
		err(1, "calloc");
	for (int c = 0; c < NCODECS; c++) {
		if (t[c] == NULL || t[0] == NULL)
			continue;
		for (size_t i = 0; i < runs; i++)
			ratio[i] = t[0][i] / t[c][i];
		*(decode ? &r[c].decode_ratio : &r[c].build_ratio) =
		    bench_median(ratio, runs);
	}
	for (int c = 0; c < NCODECS; c++)
		if (t[c] != NULL)
			*(decode ? &r[c].decode : &r[c].build) =
			    bench_median(t[c], runs);
	free(ratio);
}

/*
 * Lets malloc() merge what the codec before left in its fast bins, which
 * a large request does first: otherwise the next codec's first large
 * allocation would pay for the last one's garbage (libcbor frees an item
 * per value, and msgpack-c's decoding took three times as long after it).
 */
static void
settle(void)
{
	void *volatile p = malloc(1 << 20);
	free(p);
}

/*
 * Times every codec on subject s: one warm-up build and decode each (the
 * build kept for the decoding), then rounds in which the codecs build in
 * turn, then rounds in which they decode in turn. Taking turns puts the
 * two times of a ratio milliseconds apart, so that the machine's drift (a
 * virtual CPU's speed changes over seconds) hits both alike.
 */
static void
measure(const struct dataset *ds, enum subject s, size_t runs,
    struct result r[NCODECS], struct variant_result vr[NVARIANTS])
{
	struct encoded enc[NCODECS];
	double *t[NCODECS], *tv[NVARIANTS];
	double *tvd[NVARIANTS];

	memset(enc, 0, sizeof(enc));
	for (int c = 0; c < NCODECS; c++) {
		r[c].build = r[c].decode = -1;
		r[c].build_ratio = r[c].decode_ratio = -1;
		t[c] = NULL;
		if (codecs[c]->build(ds, s, &enc[c]) != 0) {
			codecs[c]->build_done(&enc[c]);
			continue;
		}
		r[c].size = enc[c].len;
		if ((t[c] = calloc(runs, sizeof(double))) == NULL)
			err(1, "calloc");
	}
	/* The warm-up build tells which variants can build this subject. */
	for (int v = 0; v < NVARIANTS; v++) {
		struct encoded tmp = {0};

		vr[v].build = vr[v].decode = -1;
		vr[v].build_ratio = vr[v].decode_ratio = -1;
		tv[v] = tvd[v] = NULL;
		if (variants[v]->build == NULL)
			continue;
		if (variants[v]->build(ds, s, &tmp) == 0 &&
		    (tv[v] = calloc(runs, sizeof(double))) == NULL)
			err(1, "calloc");
		variants[v]->build_done(&tmp);
	}
	for (size_t i = 0; i < runs; i++) {
		for (int c = 0; c < NCODECS; c++) {
			struct encoded tmp = {0};
			if (t[c] == NULL)
				continue;
			settle();
			double t0 = bench_cpu_seconds();
			int error = codecs[c]->build(ds, s, &tmp);
			double t1 = bench_cpu_seconds();
			codecs[c]->build_done(&tmp);
			if (error != 0)
				errx(1, "%s: %s: a build failed",
				    subject_names[s], codecs[c]->name);
			t[c][i] = t1 - t0;
		}
		for (int v = 0; v < NVARIANTS; v++) {
			struct encoded tmp = {0};
			if (tv[v] == NULL)
				continue;
			settle();
			double t0 = bench_cpu_seconds();
			int error = variants[v]->build(ds, s, &tmp);
			double t1 = bench_cpu_seconds();
			variants[v]->build_done(&tmp);
			if (error != 0)
				errx(1, "%s: %s: a build failed",
				    subject_names[s], variants[v]->name);
			tv[v][i] = t1 - t0;
		}
	}
	for (int v = 0; v < NVARIANTS; v++)
		summarize_variant(tv[v], t[1], runs, &vr[v].build,
		    &vr[v].build_ratio);
	summarize(t, runs, r, false);

	/* The warm-up decode tells which codecs can read this subject. */
	for (int c = 0; c < NCODECS; c++) {
		void *state = NULL;
		if (t[c] == NULL)
			continue;
		if (codecs[c]->decode(enc[c].buf, enc[c].len, &r[c].sum,
		        &state) != 0) {
			free(t[c]);
			t[c] = NULL;
		}
		codecs[c]->decode_done(state);
	}
	/* Variants read what argdata's build wrote. */
	for (int v = 0; v < NVARIANTS; v++) {
		void *state = NULL;
		if (variants[v]->decode == NULL || t[0] == NULL)
			continue;
		if (variants[v]->decode(enc[0].buf, enc[0].len, &vr[v].sum,
		        &state) == 0 &&
		    (tvd[v] = calloc(runs, sizeof(double))) == NULL)
			err(1, "calloc");
		variants[v]->decode_done(state);
	}
	for (size_t i = 0; i < runs; i++) {
		for (int c = 0; c < NCODECS; c++) {
			struct walk_sum sum = {0};
			void *state = NULL;
			if (t[c] == NULL)
				continue;
			settle();
			double t0 = bench_cpu_seconds();
			int error = codecs[c]->decode(enc[c].buf, enc[c].len,
			    &sum, &state);
			double t1 = bench_cpu_seconds();
			codecs[c]->decode_done(state);
			if (error != 0)
				errx(1, "%s: %s: a decode failed",
				    subject_names[s], codecs[c]->name);
			t[c][i] = t1 - t0;
		}
		for (int v = 0; v < NVARIANTS; v++) {
			struct walk_sum sum = {0};
			void *state = NULL;
			if (tvd[v] == NULL)
				continue;
			settle();
			double t0 = bench_cpu_seconds();
			int error = variants[v]->decode(enc[0].buf, enc[0].len,
			    &sum, &state);
			double t1 = bench_cpu_seconds();
			variants[v]->decode_done(state);
			if (error != 0)
				errx(1, "%s: %s: a decode failed",
				    subject_names[s], variants[v]->name);
			tvd[v][i] = t1 - t0;
		}
	}
	for (int v = 0; v < NVARIANTS; v++) {
		summarize_variant(tvd[v], t[1], runs, &vr[v].decode,
		    &vr[v].decode_ratio);
		free(tv[v]);
		free(tvd[v]);
	}
	summarize(t, runs, r, true);
	for (int c = 0; c < NCODECS; c++) {
		if (r[c].build >= 0)
			codecs[c]->build_done(&enc[c]);
		free(t[c]);
	}
}

static void
print_time(double t)
{
	if (t < 0)
		printf(" %9s", "n/a");
	else
		printf(" %9.3f", t * 1e3);
}

static void
print_ratio(double ratio)
{
	if (ratio < 0)
		printf(" %9s", "-");
	else
		printf(" %8.2fx", ratio);
}

static int goals, goals_met;

/* Prints the goal and whether ratio meets it: ratio <= limit. */
static void
print_goal(double ratio, double limit, const char *text)
{
	if (limit <= 0) {
		printf("\n");
		return;
	}
	goals++;
	int met = ratio >= 0 && ratio <= limit;
	goals_met += met;
	printf("  %-22s %s\n", text, met ? "met" : "MISSED");
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-codec [-n runs] [-q] [-s subject]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	size_t runs = 11, scale = 1;
	const char *only = NULL;
	int ch;
	while ((ch = getopt(argc, argv, "n:qs:")) != -1) {
		switch (ch) {
		case 's':
			only = optarg;
			break;
		case 'n':
			runs = strtoul(optarg, NULL, 10);
			if (runs == 0)
				usage();
			break;
		case 'q':
			scale = 100;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);

	struct dataset ds;
	make_dataset(&ds, scale);

	/*
	 * The goals of issue 2 for the tree API, and of issue 15 for typed
	 * reads and the streaming encoder, as limits on argdata's time over
	 * msgpack's.
	 */
	static const struct {
		double decode, build, typed, stream;
		const char *decode_text, *build_text, *typed_text, *stream_text;
	} goal[] = {
	    {0.25, 1.5, 0.25, 1.0, "<= 0.25 (4x as fast)", "<= 1.5",
	        "<= 0.25 (4x as fast)", "<= 1.0"},
	    {0.25, 2.0, 0, 1.0, "<= 0.25 (4x as fast)", "<= 2", "", "<= 1.0"},
	    {0, 0, 0, 0, "", "", "", ""},
	};

	printf("libargdata vs msgpack-c and libcbor: medians of %zu rounds "
	       "after a warm-up,\nmilliseconds of CPU time; the codecs take "
	       "turns in each round, and a ratio is\nthe median of the "
	       "rounds' ratios\n",
	    runs);
	printf("config: %zu entries; ints: %zu; deep: %zu levels; fds: %zu "
	       "values over %zu descriptors\n\n",
	    ds.nconfig, ds.nints, ds.depth, ds.nfds, ds.nfds / 2);
	printf("%-7s %-16s %9s %9s %9s %9s %9s  %s\n", "data", "step",
	    "argdata", "msgpack", "libcbor", "ad/mp", "ad/cbor",
	    "goal (ad/mp)");

	int mismatch = 0;
	struct result res[SUBJECT_COUNT][NCODECS];
	struct variant_result vres[SUBJECT_COUNT][NVARIANTS];
	memset(res, 0, sizeof(res));
	memset(vres, 0, sizeof(vres));
	for (int s = 0; s < SUBJECT_COUNT; s++) {
		struct result *r = res[s];
		if (only != NULL && strcmp(only, subject_names[s]) != 0)
			continue;
		struct variant_result *vr = vres[s];
		measure(&ds, (enum subject)s, runs, r, vr);
		for (int c = 1; c < NCODECS; c++)
			if (r[c].decode >= 0 && r[0].decode >= 0 &&
			    memcmp(&r[c].sum, &r[0].sum, sizeof(r[0].sum)) !=
			        0) {
				warnx("%s: %s decoded other values than "
				      "argdata",
				    subject_names[s], codecs[c]->name);
				mismatch = 1;
			}
		printf("%-7s %-16s", subject_names[s], "decode+walk");
		for (int c = 0; c < NCODECS; c++)
			print_time(r[c].decode);
		print_ratio(r[1].decode_ratio);
		print_ratio(r[2].decode_ratio);
		print_goal(r[1].decode_ratio, goal[s].decode,
		    goal[s].decode_text);
		printf("%-7s %-16s", subject_names[s], "build+serialize");
		for (int c = 0; c < NCODECS; c++)
			print_time(r[c].build);
		print_ratio(r[1].build_ratio);
		print_ratio(r[2].build_ratio);
		print_goal(r[1].build_ratio, goal[s].build, goal[s].build_text);
		for (int v = 0; v < NVARIANTS; v++) {
			if (vr[v].decode >= 0) {
				if (memcmp(&vr[v].sum, &r[0].sum,
				        sizeof(r[0].sum)) != 0) {
					warnx("%s: %s read other values than "
					      "the walk",
					    subject_names[s],
					    variants[v]->name);
					mismatch = 1;
				}
				printf("%-7s %-16s", subject_names[s],
				    "typed read");
				print_time(vr[v].decode);
				print_time(r[1].decode);
				printf(" %9s", "");
				print_ratio(vr[v].decode_ratio);
				printf(" %9s", "");
				print_goal(vr[v].decode_ratio, goal[s].typed,
				    goal[s].typed_text);
			}
			if (vr[v].build >= 0) {
				printf("%-7s %-16s", subject_names[s],
				    "stream encoder");
				print_time(vr[v].build);
				print_time(r[1].build);
				printf(" %9s", "");
				print_ratio(vr[v].build_ratio);
				printf(" %9s", "");
				print_goal(vr[v].build_ratio, goal[s].stream,
				    goal[s].stream_text);
			}
		}
	}

	if (only != NULL && strcmp(only, "fds") != 0)
		goto sizes;

	/* "fds": serializing with renumbering against without. */
	void *tree;
	double *t[2];
	t[0] = calloc(runs, sizeof(double));
	t[1] = calloc(runs, sizeof(double));
	if (t[0] == NULL || t[1] == NULL ||
	    argdata_fds_prepare(&ds, &tree) != 0)
		err(1, "fds");
	for (size_t i = 0; i <= runs; i++) {
		for (int renumber = 0; renumber < 2; renumber++) {
			double t0 = bench_cpu_seconds();
			if (argdata_fds_serialize(tree, renumber) != 0)
				errx(1, "fds: serialize failed");
			double t1 = bench_cpu_seconds();
			if (i > 0)
				t[renumber][i - 1] = t1 - t0;
		}
	}
	argdata_fds_done(tree);
	double *ratio = calloc(runs, sizeof(double));
	if (ratio == NULL)
		err(1, "calloc");
	for (size_t i = 0; i < runs; i++)
		ratio[i] = t[1][i] / t[0][i];
	double fds_ratio = bench_median(ratio, runs);
	free(ratio);
	double plain = bench_median(t[0], runs);
	double renumbered = bench_median(t[1], runs);
	printf("%-7s %-16s", "fds", "serialize");
	print_time(renumbered);
	printf(" %9s %9s", "", "");
	print_ratio(fds_ratio);
	printf(" %9s", "");
	print_goal(fds_ratio, 3.0, "<= 3 (vs plain)");
	printf("%-7s %-16s", "", " (no renumber)");
	print_time(plain);
	printf("\n");
	free(t[0]);
	free(t[1]);

sizes:
	printf("\ntyped read, stream encoder: the row's argdata column is "
	       "that way of doing it,\ncompared with msgpack-c's "
	       "decode+walk or build+serialize in the same rounds.\n");
	printf("\nencoded sizes in bytes:");
	for (int s = 0; s < SUBJECT_COUNT; s++) {
		printf("\n  %-7s", subject_names[s]);
		for (int c = 0; c < NCODECS; c++)
			printf(" %s %zu%s", codecs[c]->name, res[s][c].size,
			    c + 1 < NCODECS ? "," : "");
	}
	printf("\n\nad/mp: argdata's time over msgpack-c's (below 1: argdata "
	       "is faster).\nDescriptors: msgpack ext type %d, CBOR tag %d "
	       "on an unsigned integer.\nn/a: cannot decode it (msgpack-c's "
	       "unpacker nests at most 32 levels,\nlibcbor's cbor_load "
	       "2048). Goals met: %d of %d.\n",
	    BENCH_MSGPACK_FD_EXT, BENCH_CBOR_FD_TAG, goals_met, goals);
	free(ds.config);
	free(ds.ints);
	free(ds.fds);
	return mismatch;
}
