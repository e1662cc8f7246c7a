/*
 * expatpass.c - the floor for any expat-based feed parser: read a file and
 * run expat over it with no handlers (bench/parse.sh builds it with cc; not
 * part of tidings). Exit status 0 when the document is well-formed, 1 when
 * it is not, 2 when it cannot be read.
 *
 *   expatpass FILE
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: expatpass FILE\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "rb");
	if (!fp) {
		perror(argv[1]);
		return 2;
	}
	XML_Parser p = XML_ParserCreate(NULL);
	if (!p) {
		fclose(fp);
		return 2;
	}
	static char buf[1 << 16];
	int ok = 1;
	for (;;) {
		size_t n = fread(buf, 1, sizeof buf, fp);
		int last = n < sizeof buf;
		if (XML_Parse(p, buf, (int)n, last) == XML_STATUS_ERROR) {
			ok = 0;
			break;
		}
		if (last)
			break;
	}
	XML_ParserFree(p);
	fclose(fp);
	return ok ? 0 : 1;
}
