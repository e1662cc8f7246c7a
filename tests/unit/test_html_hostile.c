/* test_html_hostile.c - hostile nesting through the whole html module:
 * gumbo alone overflows its stack freeing 300,000 nested elements and is
 * quadratic on nested tables; html_parse must keep both bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "html/html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_hostile_nesting_is_fast_and_safe(void **state)
{
	(void)state;
	/* 300,000 nested formatting elements: gumbo alone overflows its
	 * stack freeing this tree; through the sanitizer it must be quick */
	size_t n = 300000;
	char *s = malloc(n * 9 + 16);
	assert_non_null(s);
	size_t k = 0;
	for (size_t i = 0; i < n / 3; i++) {
		memcpy(s + k, "<b><i><u>", 9);
		k += 9;
	}
	memcpy(s + k, "text", 4);
	k += 4;
	s[k] = '\0';
	clock_t t0 = clock();
	struct td_buf out;
	td_buf_init(&out, 0);
	/* the input is cut where the nesting turns hostile: no crash, no
	 * error, bounded time */
	assert_int_equal(html_sanitize(s, k, NULL, &out), 0);
	td_buf_release(&out);
	td_buf_init(&out, 0);
	assert_int_equal(html_to_text(s, k, &out), 0);
	td_buf_release(&out);
	struct html_article *a = NULL;
	html_extract(s, k, NULL, &a, NULL);
	html_article_free(a);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 20.0);

	/* nested tables: quadratic in gumbo without the cap */
	k = 0;
	for (size_t i = 0; i < 20000; i++) {
		memcpy(s + k, "<table><tr><td>", 15);
		k += 15;
	}
	s[k] = '\0';
	t0 = clock();
	td_buf_init(&out, 0);
	assert_int_equal(html_sanitize(s, k, NULL, &out), 0);
	td_buf_release(&out);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 20.0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_nesting_is_fast_and_safe),
	};
	return cmocka_run_group_tests_name("html_hostile", tests, NULL, NULL);
}
