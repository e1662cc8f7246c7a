/* test_tpl.c - the template engine: Mustache behaviours (interpolation,
 * sections, inverted sections, partials, comments, standalone lines and
 * partial indentation), escaping, raw output only for safe values, compile
 * errors with positions, nesting, recursion, step and output limits, the
 * value arena, template sets, a 10,000-item list, and a timing of an
 * article page (printed, not asserted).
 *
 * Data trees are written as JSON (with ' for ") and converted to tpl
 * values; {"$safe": "..."} makes a TPL_SAFE value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "tpl/tpl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers --------------------------------------------------------------- */

/* Every ' becomes " (so \' is an escaped quote; write an apostrophe as
 * \u0027). */
static char *quotes(const char *s)
{
	char *o = strdup(s);
	assert_non_null(o);
	for (char *p = o; *p; p++)
		if (*p == '\'')
			*p = '"';
	return o;
}

static struct tpl_val *from_json(struct tpl_ctx *c, const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_NULL: return tpl_null(c);
	case JSON_TRUE: return tpl_bool(c, 1);
	case JSON_FALSE: return tpl_bool(c, 0);
	case JSON_INTEGER: return tpl_int(c, json_integer_value(j));
	case JSON_REAL: return tpl_strf(c, "%g", json_real_value(j));
	case JSON_STRING:
		return tpl_strn(c, json_string_value(j), json_string_length(j));
	case JSON_ARRAY: {
		struct tpl_val *l = tpl_list(c);
		size_t i;
		json_t *e;
		json_array_foreach(j, i, e)
			assert_int_equal(tpl_list_push(c, l, from_json(c, e)), 0);
		return l;
	}
	case JSON_OBJECT: {
		json_t *safe = json_object_get(j, "$safe");
		if (safe)
			return tpl_safe(c, json_string_value(safe),
					json_string_length(safe));
		struct tpl_val *o = tpl_obj(c);
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)j, k, e)
			assert_int_equal(tpl_obj_set(c, o, k, from_json(c, e)), 0);
		return o;
	}
	}
	return NULL;
}

static json_t *parse_json(const char *s)
{
	char *q = quotes(s);
	json_error_t e;
	json_t *j = json_loads(q, JSON_DECODE_ANY, &e);
	if (!j)
		print_error("bad test JSON: %s: %s\n", q, e.text);
	free(q);
	assert_non_null(j);
	return j;
}

static struct tpl_set *make_set(const char *partials)
{
	struct tpl_set *s = tpl_set_new();
	assert_non_null(s);
	if (!partials)
		return s;
	json_t *j = parse_json(partials);
	const char *k;
	json_t *e;
	json_object_foreach(j, k, e)
	{
		struct td_error err = { 0 };
		int rc = tpl_set_add(s, k, json_string_value(e),
				     json_string_length(e), &err);
		if (rc)
			print_error("partial %s: %s\n", k, err.msg);
		assert_int_equal(rc, 0);
	}
	json_decref(j);
	return s;
}

static int checks, failures;

/* Render src with data (JSON or NULL) and partials (JSON object of
 * sources or NULL); return the status and the output in *got (malloc'd). */
static int run(const char *src, const char *data, const char *partials,
	       size_t max, char **got)
{
	struct tpl_ctx *c = tpl_ctx_new();
	assert_non_null(c);
	struct tpl_val *root = NULL;
	if (data) {
		json_t *j = parse_json(data);
		root = from_json(c, j);
		json_decref(j);
		assert_int_equal(tpl_ctx_err(c), 0);
	}
	struct tpl_set *set = make_set(partials);
	struct tpl *t;
	struct td_error err = { 0 };
	int rc = tpl_compile(src, strlen(src), "t", &t, &err);
	if (rc)
		print_error("compile: %s\n", err.msg);
	assert_int_equal(rc, 0);
	struct td_buf b;
	td_buf_init(&b, max);
	rc = tpl_render(t, set, root, &b);
	*got = strdup(td_buf_cstr(&b));
	td_buf_release(&b);
	tpl_free(t);
	tpl_set_free(set);
	tpl_ctx_free(c);
	return rc;
}

/* One case: soft failure so a table reports every broken case. */
static void check(const char *what, const char *src, const char *data,
		  const char *partials, const char *want)
{
	char *got;
	int rc = run(src, data, partials, 0, &got);
	checks++;
	if (rc || strcmp(got, want)) {
		print_error("FAIL %s\n  template: [%s]\n  want: [%s]\n  got:  "
			    "[%s] (rc %d)\n",
			    what, src, want, got, rc);
		failures++;
	}
	free(got);
}

static void done(void)
{
	print_message("  %d checks\n", checks);
	int f = failures;
	checks = failures = 0;
	if (f)
		fail_msg("%d failed", f);
}

/* Compile must fail with code at line:col and a message containing what. */
static void compile_fails(const char *src, int code, int line, int col,
			  const char *what)
{
	struct tpl *t = (struct tpl *)1;
	struct td_error err = { 0 };
	int rc = tpl_compile(src, strlen(src), "page", &t, &err);
	checks++;
	if (rc != code || t || err.line != line || err.col != col ||
	    !strstr(err.msg, what)) {
		print_error("FAIL compile [%s]: rc %d line %d col %d msg [%s]; "
			    "want rc %d %d:%d [%s]\n",
			    src, rc, err.line, err.col, err.msg, code, line,
			    col, what);
		failures++;
	}
	if (rc == 0)
		tpl_free(t);
}

/* ---- interpolation --------------------------------------------------------- */

static void test_interpolation(void **state)
{
	(void)state;
	check("no tags", "Hello from {Mustache}!\n", "{}", NULL,
	      "Hello from {Mustache}!\n");
	check("basic", "Hello, {{subject}}!\n", "{'subject':'world'}", NULL,
	      "Hello, world!\n");
	check("escaped", "These: {{forbidden}}\n",
	      "{'forbidden':'& \\' < >'}", NULL, "These: &amp; &quot; &lt; &gt;\n");
	check("triple on text escapes anyway", "{{{forbidden}}}",
	      "{'forbidden':'& \\' < >'}", NULL, "&amp; &quot; &lt; &gt;");
	check("ampersand on text escapes anyway", "{{&forbidden}}",
	      "{'forbidden':'<b>'}", NULL, "&lt;b&gt;");
	check("triple on safe", "{{{forbidden}}}",
	      "{'forbidden':{'$safe':'<b>& \\'</b>'}}", NULL, "<b>& \"</b>");
	check("ampersand on safe", "{{& forbidden}}",
	      "{'forbidden':{'$safe':'<i>x</i>'}}", NULL, "<i>x</i>");
	check("double braces on safe escape", "{{forbidden}}",
	      "{'forbidden':{'$safe':'<i>x</i>'}}", NULL, "&lt;i&gt;x&lt;/i&gt;");
	check("integer", "{{mph}} miles an hour!", "{'mph':85}", NULL,
	      "85 miles an hour!");
	check("triple integer", "{{{mph}}} miles", "{'mph':85}", NULL, "85 miles");
	check("negative and big integers", "{{a}} {{b}} {{c}}",
	      "{'a':-42,'b':9223372036854775807,'c':-9223372036854775808}",
	      NULL, "-42 9223372036854775807 -9223372036854775808");
	check("zero", "{{z}}", "{'z':0}", NULL, "0");
	check("booleans", "{{t}}/{{f}}", "{'t':true,'f':false}", NULL,
	      "true/false");
	check("null", "I ({{n}}) be seen!", "{'n':null}", NULL, "I () be seen!");
	check("missing", "I ({{cannot}}) be seen!", "{}", NULL, "I () be seen!");
	check("triple missing", "I ({{{cannot}}}) be seen!", "{}", NULL,
	      "I () be seen!");
	check("list and object print nothing", "[{{l}}{{o}}]",
	      "{'l':[1,2],'o':{'a':1}}", NULL, "[]");
	check("dotted", "'{{person.name}}' == '{{#person}}{{name}}{{/person}}'",
	      "{'person':{'name':'Joe'}}", NULL, "'Joe' == 'Joe'");
	check("dotted triple", "{{{person.name}}}", "{'person':{'name':'Joe'}}",
	      NULL, "Joe");
	check("dotted arbitrary depth", "{{a.b.c.d.e.name}} == Phil",
	      "{'a':{'b':{'c':{'d':{'e':{'name':'Phil'}}}}}}", NULL,
	      "Phil == Phil");
	check("dotted broken chain", "{{a.b.c}} == ", "{'a':{}}", NULL, " == ");
	check("dotted broken chain resolution", "{{a.b.c.name}} == ",
	      "{'a':{'b':{}},'c':{'name':'Jim'}}", NULL, " == ");
	check("dotted initial resolution",
	      "{{#a}}{{b.c.d.e.name}}{{/a}} == Phil",
	      "{'a':{'b':{'c':{'d':{'e':{'name':'Phil'}}}}},"
	      "'b':{'c':{'d':{'e':{'name':'Wrong'}}}}}",
	      NULL, "Phil == Phil");
	check("dotted context precedence", "{{#a}}{{b.c}}{{/a}}",
	      "{'a':{'b':{}},'b':{'c':'ERROR'}}", NULL, "");
	check("dotted through non-object", "[{{a.b}}]", "{'a':'str'}", NULL,
	      "[]");
	check("implicit iterator on root", "Hello, {{.}}!", "'world'", NULL,
	      "Hello, world!");
	check("implicit iterator escapes", "{{.}}", "'<>'", NULL, "&lt;&gt;");
	check("surrounding whitespace", "| {{string}} |", "{'string':'---'}",
	      NULL, "| --- |");
	check("triple surrounding whitespace", "| {{{string}}} |",
	      "{'string':'---'}", NULL, "| --- |");
	check("ampersand surrounding whitespace", "| {{&string}} |",
	      "{'string':'---'}", NULL, "| --- |");
	check("interpolation is never standalone", "  {{string}}\n",
	      "{'string':'---'}", NULL, "  ---\n");
	check("triple is never standalone", "  {{{string}}}\n",
	      "{'string':'---'}", NULL, "  ---\n");
	check("padding", "|{{ string }}|", "{'string':'---'}", NULL, "|---|");
	check("triple padding", "|{{{ string }}}|", "{'string':'---'}", NULL,
	      "|---|");
	check("ampersand padding", "|{{& string }}|", "{'string':'---'}", NULL,
	      "|---|");
	check("newline padding", "|{{\n string\n }}|", "{'string':'-'}", NULL,
	      "|-|");
	check("names with - and _", "{{a-b}}{{c_d}}{{E9}}",
	      "{'a-b':1,'c_d':2,'E9':3}", NULL, "123");
	check("no data", "x{{a}}y", NULL, NULL, "xy");
	check("utf-8 passes", "é{{s}}ü", "{'s':'日本'}", NULL, "é日本ü");
	check("single braces are text", "{ {a} }}{", "{'a':1}", NULL,
	      "{ {a} }}{");
	done();
}

/* ---- sections -------------------------------------------------------------- */

static void test_sections(void **state)
{
	(void)state;
	check("truthy", "{{#boolean}}This should be rendered.{{/boolean}}",
	      "{'boolean':true}", NULL, "This should be rendered.");
	check("falsey", "{{#boolean}}This should not be rendered.{{/boolean}}",
	      "{'boolean':false}", NULL, "");
	check("null is falsey", "{{#n}}no{{/n}}", "{'n':null}", NULL, "");
	check("zero is falsey", "{{#n}}no{{/n}}{{#m}}yes{{.}}{{/m}}",
	      "{'n':0,'m':3}", NULL, "yes3");
	check("empty string falsey", "{{#s}}no{{/s}}{{#t}}[{{.}}]{{/t}}",
	      "{'s':'','t':'x'}", NULL, "[x]");
	check("empty object truthy", "{{#o}}yes{{/o}}", "{'o':{}}", NULL, "yes");
	check("context", "{{#context}}Hi {{name}}.{{/context}}",
	      "{'context':{'name':'Joe'}}", NULL, "Hi Joe.");
	check("parent contexts", "{{#sec}}{{a}}, {{b}}, {{c.d}}{{/sec}}",
	      "{'a':'foo','b':'wrong','sec':{'b':'bar'},'c':{'d':'baz'}}",
	      NULL, "foo, bar, baz");
	check("variable test", "{{#foo}}{{.}} is {{foo}}{{/foo}}",
	      "{'foo':'bar'}", NULL, "bar is bar");
	check("list", "{{#list}}{{item}}{{/list}}",
	      "{'list':[{'item':1},{'item':2},{'item':3}]}", NULL, "123");
	check("empty list", "{{#list}}Yay lists!{{/list}}", "{'list':[]}", NULL,
	      "");
	check("doubled",
	      "{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n{{/bool}}\n",
	      "{'bool':true,'two':'second'}", NULL, "* first\n* second\n* third\n");
	check("nested truthy",
	      "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
	      "{'bool':true}", NULL, "| A B C D E |");
	check("nested falsey",
	      "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
	      "{'bool':false}", NULL, "| A  E |");
	check("context misses",
	      "[{{#missing}}Found key 'missing'!{{/missing}}]", "{}", NULL, "[]");
	check("implicit iterator string", "{{#list}}({{.}}){{/list}}",
	      "{'list':['a','b','c','d','e']}", NULL, "(a)(b)(c)(d)(e)");
	check("implicit iterator integer", "{{#list}}({{.}}){{/list}}",
	      "{'list':[1,2,3,4,5]}", NULL, "(1)(2)(3)(4)(5)");
	check("implicit iterator array", "{{#list}}({{#.}}{{.}}{{/.}}){{/list}}",
	      "{'list':[[1,2,3],['a','b','c']]}", NULL, "(123)(abc)");
	check("implicit iterator escapes", "{{#list}}{{.}}{{/list}}",
	      "{'list':['<','&']}", NULL, "&lt;&amp;");
	check("dotted truthy", "{{#a.b.c}}Here{{/a.b.c}} == Here",
	      "{'a':{'b':{'c':true}}}", NULL, "Here == Here");
	check("dotted falsey", "{{#a.b.c}}Here{{/a.b.c}} == ",
	      "{'a':{'b':{'c':false}}}", NULL, " == ");
	check("dotted broken chain", "{{#a.b.c}}Here{{/a.b.c}} == ", "{'a':{}}",
	      NULL, " == ");
	check("list of objects sees parents",
	      "{{#items}}{{name}}@{{site}};{{/items}}",
	      "{'site':'S','items':[{'name':'a'},{'name':'b','site':'T'}]}",
	      NULL, "a@S;b@T;");
	check("deeply nested contexts",
	      "{{#a}}{{one}}{{#b}}{{one}}{{two}}{{#c}}{{one}}{{two}}{{three}}"
	      "{{/c}}{{/b}}{{/a}}",
	      "{'a':{'one':1},'b':{'two':2},'c':{'three':3}}", NULL,
	      "112123");
	check("surrounding whitespace",
	      " | {{#boolean}}\t|\t{{/boolean}} | \n", "{'boolean':true}", NULL,
	      " | \t|\t | \n");
	check("internal whitespace",
	      " | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n",
	      "{'boolean':true}", NULL, " |  \n  | \n");
	check("indented inline sections",
	      " {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n",
	      "{'boolean':true}", NULL, " YES\n GOOD\n");
	check("standalone lines",
	      "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n",
	      "{'boolean':true}", NULL, "| This Is\n|\n| A Line\n");
	check("indented standalone lines",
	      "| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n",
	      "{'boolean':true}", NULL, "| This Is\n|\n| A Line\n");
	check("standalone line endings",
	      "|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", "{'boolean':true}", NULL,
	      "|\r\n|");
	check("standalone without previous line",
	      "  {{#boolean}}\n#{{/boolean}}\n/", "{'boolean':true}", NULL,
	      "#\n/");
	check("standalone without newline", "#{{#boolean}}\n/\n  {{/boolean}}",
	      "{'boolean':true}", NULL, "#\n/\n");
	check("standalone with tabs", "a\n\t {{#b}}\t\nx\n{{/b}} \nz",
	      "{'b':true}", NULL, "a\nx\nz");
	check("two tags on a line are not standalone",
	      "a\n{{#b}}{{/b}}\nz", "{'b':true}", NULL, "a\n\nz");
	check("padding", "|{{# boolean }}={{/ boolean }}|", "{'boolean':true}",
	      NULL, "|=|");
	check("html list",
	      "<ul>\n  {{#items}}\n  <li><a href=\"{{url}}\">{{title}}</a></li>\n"
	      "  {{/items}}\n</ul>\n",
	      "{'items':[{'url':'/a/1','title':'One & two'},"
	      "{'url':'/a/2?x=1','title':'Three'}]}",
	      NULL,
	      "<ul>\n  <li><a href=\"/a/1\">One &amp; two</a></li>\n"
	      "  <li><a href=\"/a/2?x&#61;1\">Three</a></li>\n</ul>\n");
	done();
}

static void test_inverted(void **state)
{
	(void)state;
	check("falsey", "{{^boolean}}This should be rendered.{{/boolean}}",
	      "{'boolean':false}", NULL, "This should be rendered.");
	check("truthy", "{{^boolean}}This should not be rendered.{{/boolean}}",
	      "{'boolean':true}", NULL, "");
	check("null is falsey", "{{^n}}yes{{/n}}", "{'n':null}", NULL, "yes");
	check("zero and empty string", "{{^z}}z{{/z}}{{^s}}s{{/s}}",
	      "{'z':0,'s':''}", NULL, "zs");
	check("context", "{{^context}}Found key 'context'!{{/context}}",
	      "{'context':{'name':'Joe'}}", NULL, "");
	check("list", "{{^list}}{{n}}{{/list}}",
	      "{'list':[{'n':1},{'n':2}]}", NULL, "");
	check("empty list", "{{^list}}Yay lists!{{/list}}", "{'list':[]}", NULL,
	      "Yay lists!");
	check("doubled",
	      "{{^bool}}\n* first\n{{/bool}}\n* {{two}}\n{{^bool}}\n* third\n{{/bool}}\n",
	      "{'bool':false,'two':'second'}", NULL,
	      "* first\n* second\n* third\n");
	check("nested falsey",
	      "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
	      "{'bool':false}", NULL, "| A B C D E |");
	check("nested truthy",
	      "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
	      "{'bool':true}", NULL, "| A  E |");
	check("context misses",
	      "[{{^missing}}Found key 'missing'!{{/missing}}]", "{}", NULL,
	      "[Found key 'missing'!]");
	check("dotted truthy", "{{^a.b.c}}Not Here{{/a.b.c}} == ",
	      "{'a':{'b':{'c':true}}}", NULL, " == ");
	check("dotted falsey", "{{^a.b.c}}Not Here{{/a.b.c}} == Not Here",
	      "{'a':{'b':{'c':false}}}", NULL, "Not Here == Not Here");
	check("dotted broken chain", "{{^a.b.c}}Not Here{{/a.b.c}} == Not Here",
	      "{'a':{}}", NULL, "Not Here == Not Here");
	check("surrounding whitespace", " | {{^boolean}}\t|\t{{/boolean}} | \n",
	      "{'boolean':false}", NULL, " | \t|\t | \n");
	check("standalone lines",
	      "| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n",
	      "{'boolean':false}", NULL, "| This Is\n|\n| A Line\n");
	check("indented standalone lines",
	      "| This Is\n  {{^boolean}}\n|\n  {{/boolean}}\n| A Line\n",
	      "{'boolean':false}", NULL, "| This Is\n|\n| A Line\n");
	check("standalone line endings",
	      "|\r\n{{^boolean}}\r\n{{/boolean}}\r\n|", "{'boolean':false}", NULL,
	      "|\r\n|");
	check("standalone without previous line",
	      "  {{^boolean}}\n^{{/boolean}}\n/", "{'boolean':false}", NULL,
	      "^\n/");
	check("padding", "|{{^ boolean }}={{/ boolean }}|", "{'boolean':false}",
	      NULL, "|=|");
	check("else idiom",
	      "{{#items}}<li>{{.}}</li>{{/items}}{{^items}}<p>None</p>{{/items}}",
	      "{'items':[]}", NULL, "<p>None</p>");
	done();
}

/* ---- partials and comments ------------------------------------------------- */

static void test_partials(void **state)
{
	(void)state;
	check("basic", "\"{{>text}}\"", "{}", "{'text':'from partial'}",
	      "\"from partial\"");
	check("failed lookup", "\"{{>text}}\"", "{}", NULL, "\"\"");
	check("context", "\"{{>partial}}\"", "{'text':'content'}",
	      "{'partial':'*{{text}}*'}", "\"*content*\"");
	check("recursion", "{{>node}}",
	      "{'content':'X','nodes':[{'content':'Y','nodes':[]}]}",
	      "{'node':'{{content}}<{{#nodes}}{{>node}}{{/nodes}}>'}",
	      "X<Y<>>");
	check("surrounding whitespace", "| {{>partial}} |", "{}",
	      "{'partial':'\\t|\\t'}", "| \t|\t |");
	check("inline indentation", "  {{data}}  {{> partial}}\n",
	      "{'data':'|'}", "{'partial':'>\\n>'}", "  |  >\n>\n");
	check("standalone line endings", "|\r\n{{>partial}}\r\n|", "{}",
	      "{'partial':'>'}", "|\r\n>|");
	check("standalone without previous line", "  {{>partial}}\n>", "{}",
	      "{'partial':'>\\n>'}", "  >\n  >>");
	check("standalone without newline", ">\n  {{>partial}}", "{}",
	      "{'partial':'>\\n>'}", ">\n  >\n  >");
	check("standalone indentation", "\\\n {{>partial}}\n/\n",
	      "{'content':{'$safe':'<\\n->'}}",
	      "{'partial':'|\\n{{{content}}}\\n|\\n'}",
	      "\\\n |\n <\n->\n |\n/\n");
	check("padding whitespace", "|{{> partial }}|", "{'boolean':true}",
	      "{'partial':'[]'}", "|[]|");
	check("partial names with dots and slashes", "{{> inc/head.html}}",
	      "{}", "{'inc/head.html':'H'}", "H");
	check("nested indentation", "  {{>outer}}\n", "{}",
	      "{'outer':'a\\n  {{>inner}}\\nb\\n','inner':'x\\ny\\n'}",
	      "  a\n    x\n    y\n  b\n");
	check("empty lines stay empty", "  {{>p}}\n", "{}",
	      "{'p':'a\\n\\nb\\n'}", "  a\n\n  b\n");
	check("indented partial with sections", "<div>\n  {{>p}}\n</div>\n",
	      "{'l':[1,2]}",
	      "{'p':'<ul>\\n{{#l}}\\n  <li>{{.}}</li>\\n{{/l}}\\n</ul>\\n'}",
	      "<div>\n  <ul>\n    <li>1</li>\n    <li>2</li>\n  </ul>\n</div>\n");
	check("indented partial, inline tags at line start", "  {{>p}}\n",
	      "{'v':'V','b':true}", "{'p':'{{v}}!\\n{{#b}}x{{/b}}\\n{{! c }}y\\n'}",
	      "  V!\n  x\n  y\n");
	check("inline partial inside indented one", "  {{>p}}\n", "{}",
	      "{'p':'a {{>q}}\\n','q':'1\\n2'}", "  a 1\n2\n");
	check("partial sees section context",
	      "{{#items}}{{>item}}{{/items}}",
	      "{'items':[{'t':'a'},{'t':'b'}]}", "{'item':'[{{t}}]'}",
	      "[a][b]");
	done();
}

static void test_comments(void **state)
{
	(void)state;
	check("inline", "12345{{! Comment Block! }}67890", "{}", NULL,
	      "1234567890");
	check("multiline", "12345{{!\n  This is a\n  multi-line comment...\n}}67890\n",
	      "{}", NULL, "1234567890\n");
	check("standalone", "Begin.\n{{! Comment Block! }}\nEnd.\n", "{}", NULL,
	      "Begin.\nEnd.\n");
	check("indented standalone",
	      "Begin.\n  {{! Indented Comment Block! }}\nEnd.\n", "{}", NULL,
	      "Begin.\nEnd.\n");
	check("standalone line endings", "|\r\n{{! Standalone Comment }}\r\n|",
	      "{}", NULL, "|\r\n|");
	check("standalone without previous line",
	      "  {{! I'm Still Standalone }}\n!", "{}", NULL, "!");
	check("standalone without newline", "!\n  {{! I'm Still Standalone }}",
	      "{}", NULL, "!\n");
	check("multiline standalone",
	      "Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n", "{}",
	      NULL, "Begin.\nEnd.\n");
	check("indented multiline standalone",
	      "Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n",
	      "{}", NULL, "Begin.\nEnd.\n");
	check("indented inline", "  12 {{! 34 }}\n", "{}", NULL, "  12 \n");
	check("surrounding whitespace", "12345 {{! Comment Block! }} 67890", "{}",
	      NULL, "12345  67890");
	check("comment holding braces", "a{{! {{x}} }}b", "{}", NULL, "a }}b");
	check("comment holding a triple", "a{{! {x} }}b", "{}", NULL, "ab");
	done();
}

/* ---- escaping -------------------------------------------------------------- */

static void test_escaping(void **state)
{
	(void)state;
	check("every special character", "{{s}}",
	      "{'s':'& < > \\' \\u0027 ` ='}", NULL,
	      "&amp; &lt; &gt; &quot; &#39; &#96; &#61;");
	check("at both ends", "{{s}}", "{'s':'<a&b>'}", NULL, "&lt;a&amp;b&gt;");
	check("runs", "{{s}}", "{'s':'<<>>&&'}", NULL,
	      "&lt;&lt;&gt;&gt;&amp;&amp;");
	check("no specials", "{{s}}", "{'s':'plain text, nothing to do'}", NULL,
	      "plain text, nothing to do");
	check("entities are escaped again", "{{s}}", "{'s':'&amp;'}", NULL,
	      "&amp;amp;");
	check("attribute breakout double", "<a title=\"{{t}}\">",
	      "{'t':'\\' onmouseover=\\'alert(1)'}", NULL,
	      "<a title=\"&quot; onmouseover&#61;&quot;alert(1)\">");
	check("attribute breakout single", "<a title='{{t}}'>",
	      "{'t':'\\u0027 onclick=x'}", NULL,
	      "<a title='&#39; onclick&#61;x'>");
	check("script in text", "<p>{{t}}</p>",
	      "{'t':'<script>alert(1)</script>'}", NULL,
	      "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	check("raw on unsafe escapes", "{{{t}}}|{{& t}}", "{'t':'<img src=x>'}",
	      NULL, "&lt;img src&#61;x&gt;|&lt;img src&#61;x&gt;");
	check("raw on unsafe list item", "{{#l}}{{{.}}}{{/l}}", "{'l':['<b>']}",
	      NULL, "&lt;b&gt;");
	check("raw on safe list item", "{{#l}}{{{.}}}{{/l}}",
	      "{'l':[{'$safe':'<b>'}]}", NULL, "<b>");

	/* tpl_escape directly, with a NUL and high bytes */
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(tpl_escape(&b, "a\0<\xff", 4), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.p, "a\0&lt;\xff", 7);
	td_buf_release(&b);
	checks++;

	/* a long string: only the specials change */
	size_t n = 100000;
	char *s = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = i % 1000 == 999 ? '<' : 'x';
	s[n] = 0;
	td_buf_init(&b, 0);
	assert_int_equal(tpl_escape(&b, s, n), 0);
	assert_int_equal(b.len, n + 100 * 3);
	assert_memory_equal(b.p + 999, "&lt;x", 5);
	td_buf_release(&b);
	free(s);
	checks++;
	done();
}

/* ---- compile errors -------------------------------------------------------- */

static void test_compile_errors(void **state)
{
	(void)state;
	compile_fails("a\n  {{#items}}x", TD_EPARSE, 2, 3,
		      "page:2:3: unclosed section 'items'");
	compile_fails("{{#a}}{{#b}}{{/b}}", TD_EPARSE, 1, 1,
		      "unclosed section 'a'");
	compile_fails("{{#a}}\n{{/b}}", TD_EPARSE, 2, 1,
		      "mismatched {{/b}}, expected {{/a}}");
	compile_fails("{{#a}}{{#b}}{{/a}}{{/b}}", TD_EPARSE, 1, 13,
		      "mismatched {{/a}}, expected {{/b}}");
	compile_fails("x{{/a}}", TD_EPARSE, 1, 2, "unexpected {{/a}}");
	compile_fails("ab\ncd{{=<% %>=}}", TD_EPARSE, 2, 3, "unknown tag '{{='");
	compile_fails("{{%x}}", TD_EPARSE, 1, 1, "unknown tag");
	compile_fails("{{$block}}", TD_EPARSE, 1, 1, "unknown tag");
	compile_fails("hello {{name", TD_EPARSE, 1, 7, "unclosed tag");
	compile_fails("{{{name}}", TD_EPARSE, 1, 1, "expected '}}}'");
	compile_fails("{{}}", TD_EPARSE, 1, 1, "empty tag");
	compile_fails("{{  }}", TD_EPARSE, 1, 1, "empty tag");
	compile_fails("{{#}}", TD_EPARSE, 1, 1, "tag without a name");
	compile_fails("{{> }}", TD_EPARSE, 1, 1, "tag without a name");
	compile_fails("{{a b}}", TD_EPARSE, 1, 1, "bad name 'a b'");
	compile_fails("{{a..b}}", TD_EPARSE, 1, 1, "bad name");
	compile_fails("{{.a}}", TD_EPARSE, 1, 1, "bad name");
	compile_fails("{{a.}}", TD_EPARSE, 1, 1, "bad name");
	compile_fails("{{#a<}}{{/a<}}", TD_EPARSE, 1, 1, "bad name");
	compile_fails("{{> a b}}", TD_EPARSE, 1, 1, "bad partial name");
	compile_fails("héllo wörld {{#x}}", TD_EPARSE, 1, 13,
		      "unclosed section 'x'");
	compile_fails("1\n2\n3\n\t{{/x}}", TD_EPARSE, 4, 2, "unexpected");

	/* nesting: 64 deep compiles, 65 does not */
	struct td_buf b;
	td_buf_init(&b, 0);
	for (int i = 0; i < TD_MAX_TPL_DEPTH; i++)
		td_buf_printf(&b, "{{#a%d}}", i);
	td_buf_puts(&b, "x");
	for (int i = TD_MAX_TPL_DEPTH - 1; i >= 0; i--)
		td_buf_printf(&b, "{{/a%d}}", i);
	struct tpl *t;
	assert_int_equal(tpl_compile(b.p, b.len, NULL, &t, NULL), 0);
	tpl_free(t);
	td_buf_reset(&b);
	for (int i = 0; i <= TD_MAX_TPL_DEPTH; i++)
		td_buf_puts(&b, "{{#a}}");
	struct td_error err = { 0 };
	assert_int_equal(tpl_compile(b.p, b.len, NULL, &t, &err), TD_ETOOBIG);
	assert_null(t);
	assert_non_null(strstr(err.msg, "template:1:385: sections nested deeper"));
	checks += 2;

	/* size */
	td_buf_reset(&b);
	td_buf_reserve(&b, TD_MAX_TPL_SOURCE + 1);
	memset(b.p, 'x', TD_MAX_TPL_SOURCE + 1);
	assert_int_equal(tpl_compile(b.p, TD_MAX_TPL_SOURCE + 1, "big", &t, &err),
			 TD_ETOOBIG);
	assert_int_equal(tpl_compile(b.p, TD_MAX_TPL_SOURCE, "big", &t, &err), 0);
	tpl_free(t);
	/* long names */
	td_buf_reset(&b);
	td_buf_puts(&b, "{{");
	for (int i = 0; i <= TD_MAX_TPL_NAME; i++)
		td_buf_putc(&b, 'n');
	td_buf_puts(&b, "}}");
	assert_int_equal(tpl_compile(b.p, b.len, "n", &t, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "name longer"));
	td_buf_release(&b);
	checks += 3;

	/* empty template and NULL error struct */
	assert_int_equal(tpl_compile("", 0, NULL, &t, NULL), 0);
	assert_string_equal(tpl_name(t), "template");
	char *got;
	tpl_free(t);
	assert_int_equal(tpl_compile("{{#x}}", 6, NULL, &t, NULL), TD_EPARSE);
	assert_int_equal(run("", "{}", NULL, 0, &got), 0);
	assert_string_equal(got, "");
	free(got);
	checks += 3;
	done();
}

/* ---- limits ---------------------------------------------------------------- */

static void test_limits(void **state)
{
	(void)state;
	char *got;
	/* infinite partial recursion stops */
	assert_int_equal(run("{{>r}}", "{}", "{'r':'x{{>r}}'}", 0, &got),
			 TD_ETOOBIG);
	assert_int_equal(strlen(got), TD_MAX_TPL_PARTIAL_DEPTH);
	free(got);
	/* two partials calling each other */
	assert_int_equal(run("{{>a}}", "{}", "{'a':'{{>b}}','b':'{{>a}}'}", 0,
			     &got),
			 TD_ETOOBIG);
	free(got);
	/* data recursion within the limit works */
	assert_int_equal(run("{{>n}}", "{'c':{'c':{'c':{'c':false}}}}",
			     "{'n':'({{#c}}{{>n}}{{/c}})'}", 0, &got),
			 0);
	assert_string_equal(got, "(((())))");
	free(got);
	/* output ceiling */
	assert_int_equal(run("{{#l}}0123456789{{/l}}", "{'l':[1,2,3,4,5,6,7,8,9,10,11]}",
			     NULL, 100, &got),
			 TD_ETOOBIG);
	assert_true(strlen(got) <= 100);
	free(got);
	/* nested loops that print nothing hit the step limit */
	{
		struct tpl_ctx *c = tpl_ctx_new();
		struct tpl_val *l = tpl_list(c), *root = tpl_obj(c);
		for (int i = 0; i < 300; i++)
			tpl_list_push(c, l, tpl_int(c, i));
		tpl_obj_set(c, root, "l", l);
		assert_int_equal(tpl_ctx_err(c), 0);
		const char *src = "{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}";
		struct tpl *t;
		assert_int_equal(tpl_compile(src, strlen(src), NULL, &t, NULL), 0);
		struct td_buf b;
		td_buf_init(&b, 0);
		clock_t t0 = clock();
		assert_int_equal(tpl_render(t, NULL, root, &b), TD_ETOOBIG);
		print_message("  step limit reached in %.0f ms\n",
			      (double)(clock() - t0) * 1000 / CLOCKS_PER_SEC);
		td_buf_release(&b);
		tpl_free(t);
		tpl_ctx_free(c);
	}
	/* deep nesting at render: 64 sections over a self-nested object */
	{
		struct tpl_ctx *c = tpl_ctx_new();
		struct tpl_val *o = tpl_obj(c);
		tpl_obj_set(c, o, "a", o); /* a cycle: a.a.a... */
		tpl_obj_set_str(c, o, "v", "v");
		struct td_buf src;
		td_buf_init(&src, 0);
		for (int i = 0; i < TD_MAX_TPL_DEPTH; i++)
			td_buf_puts(&src, "{{#a}}");
		td_buf_puts(&src, "{{v}}{{>self}}");
		for (int i = 0; i < TD_MAX_TPL_DEPTH; i++)
			td_buf_puts(&src, "{{/a}}");
		struct tpl_set *set = tpl_set_new();
		assert_int_equal(tpl_set_add(set, "self", src.p, src.len, NULL), 0);
		struct td_buf b;
		td_buf_init(&b, 0);
		/* 64 sections per partial level: the context stack limit hits
		 * before the partial depth limit */
		assert_int_equal(tpl_render(tpl_set_get(set, "self"), set, o, &b),
				 TD_ETOOBIG);
		td_buf_release(&b);
		td_buf_release(&src);
		tpl_set_free(set);
		tpl_ctx_free(c);
	}
	/* bad arguments */
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(tpl_render(NULL, NULL, NULL, &b), TD_EINVAL);
	/* a buffer already in error */
	struct tpl *t;
	assert_int_equal(tpl_compile("x", 1, NULL, &t, NULL), 0);
	b.err = TD_ENOMEM;
	assert_int_equal(tpl_render(t, NULL, NULL, &b), TD_ENOMEM);
	assert_int_equal(tpl_render(t, NULL, NULL, NULL), TD_EINVAL);
	tpl_free(t);
	td_buf_release(&b);
}

/* ---- values and sets ------------------------------------------------------- */

static void test_values(void **state)
{
	(void)state;
	struct tpl_ctx *c = tpl_ctx_new();
	assert_non_null(c);
	struct tpl_val *o = tpl_obj(c);
	assert_int_equal(tpl_obj_set_str(c, o, "a", "1"), 0);
	assert_int_equal(tpl_obj_set_int(c, o, "b", 2), 0);
	assert_int_equal(tpl_obj_set_bool(c, o, "c", 1), 0);
	assert_int_equal(tpl_obj_set_str(c, o, "a", "one"), 0); /* replaces */
	assert_int_equal(tpl_val_len(o), 3);
	assert_int_equal(tpl_val_type(tpl_obj_get(o, "a")), TPL_STR);
	assert_int_equal(tpl_val_type(tpl_obj_get(o, "b")), TPL_INT);
	assert_null(tpl_obj_get(o, "zz"));
	assert_null(tpl_obj_get(NULL, "a"));
	assert_int_equal(tpl_val_type(NULL), TPL_NULL);

	/* borrowed strings are not copied */
	char body[] = "<p>body</p>";
	struct tpl_val *bv = tpl_safe_borrow(c, body, strlen(body));
	struct tpl_val *sv = tpl_str_borrow(c, body, 3);
	tpl_obj_set(c, o, "body", bv);
	tpl_obj_set(c, o, "s", sv);
	tpl_obj_set(c, o, "f", tpl_strf(c, "%d Views", 12));
	tpl_obj_set(c, o, "nul", tpl_str(c, NULL));
	struct tpl *t;
	const char *src = "{{a}}|{{b}}|{{c}}|{{{body}}}|{{s}}|{{f}}|{{nul}}|";
	assert_int_equal(tpl_compile(src, strlen(src), NULL, &t, NULL), 0);
	struct td_buf b;
	td_buf_init(&b, 0);
	body[1] = 'b'; /* visible through the borrow */
	assert_int_equal(tpl_render(t, NULL, o, &b), 0);
	assert_string_equal(b.p, "one|2|true|<b>body</p>|&lt;b&gt;|12 Views||");

	/* errors: wrong container, NULL values (failed constructor) */
	assert_int_equal(tpl_ctx_err(c), 0);
	assert_int_equal(tpl_list_push(c, o, sv), TD_EINVAL);
	assert_int_equal(tpl_ctx_err(c), TD_EINVAL);
	assert_int_equal(tpl_obj_set(c, o, "", sv), TD_EINVAL);
	tpl_ctx_reset(c);
	assert_int_equal(tpl_ctx_err(c), 0);
	struct tpl_val *l = tpl_list(c);
	assert_int_equal(tpl_list_push(c, l, NULL), TD_ENOMEM);
	assert_int_equal(tpl_ctx_err(c), TD_ENOMEM);
	tpl_ctx_reset(c);

	/* the arena survives many resets and big strings */
	for (int round = 0; round < 50; round++) {
		struct tpl_val *root = tpl_obj(c);
		struct tpl_val *list = tpl_list(c);
		for (int i = 0; i < 1000; i++) {
			struct tpl_val *it = tpl_obj(c);
			tpl_obj_set_int(c, it, "i", i);
			tpl_list_push(c, list, it);
		}
		char *big = malloc(100000);
		memset(big, 'y', 100000);
		tpl_obj_set(c, root, "big", tpl_strn(c, big, 100000));
		free(big);
		tpl_obj_set(c, root, "l", list);
		assert_int_equal(tpl_ctx_err(c), 0);
		assert_int_equal(tpl_val_len(list), 1000);
		tpl_ctx_reset(c);
	}
	td_buf_release(&b);
	tpl_free(t);
	tpl_ctx_free(c);
	tpl_ctx_free(NULL);
	tpl_free(NULL);
	tpl_set_free(NULL);
}

static void test_sets(void **state)
{
	(void)state;
	struct tpl_set *s = tpl_set_new();
	struct td_error err = { 0 };
	assert_int_equal(tpl_set_add(s, "page", "[{{>inc}}]", 10, &err), 0);
	assert_int_equal(tpl_set_add(s, "inc", "one", 3, &err), 0);
	assert_null(tpl_set_get(s, "nope"));
	assert_null(tpl_set_get(NULL, "page"));
	const struct tpl *p = tpl_set_get(s, "page");
	assert_non_null(p);
	assert_string_equal(tpl_name(p), "page");
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(tpl_render(p, s, NULL, &b), 0);
	assert_string_equal(b.p, "[one]");
	/* replace */
	assert_int_equal(tpl_set_add(s, "inc", "two", 3, &err), 0);
	td_buf_reset(&b);
	assert_int_equal(tpl_render(p, s, NULL, &b), 0);
	assert_string_equal(b.p, "[two]");
	/* a failing add leaves the set unchanged */
	assert_int_equal(tpl_set_add(s, "inc", "{{#x}}", 6, &err), TD_EPARSE);
	assert_string_equal(err.msg, "inc:1:1: unclosed section 'x'");
	td_buf_reset(&b);
	assert_int_equal(tpl_render(p, s, NULL, &b), 0);
	assert_string_equal(b.p, "[two]");
	/* add_take */
	struct tpl *t;
	assert_int_equal(tpl_compile("three", 5, "inc", &t, NULL), 0);
	assert_int_equal(tpl_set_add_take(s, t), 0);
	td_buf_reset(&b);
	assert_int_equal(tpl_render(p, s, NULL, &b), 0);
	assert_string_equal(b.p, "[three]");
	assert_int_equal(tpl_set_add_take(NULL, NULL), TD_EINVAL);
	/* many templates */
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%d", i);
		assert_int_equal(tpl_set_add(s, name, name, strlen(name), NULL), 0);
	}
	assert_string_equal(tpl_name(tpl_set_get(s, "t99")), "t99");
	td_buf_release(&b);
	tpl_set_free(s);
}

/* ---- big lists and speed --------------------------------------------------- */

static void test_big_list(void **state)
{
	(void)state;
	struct tpl_ctx *c = tpl_ctx_new();
	struct tpl_val *root = tpl_obj(c), *items = tpl_list(c);
	for (int i = 0; i < 10000; i++) {
		struct tpl_val *it = tpl_obj(c);
		tpl_obj_set(c, it, "title", tpl_strf(c, "Item <%d>", i));
		tpl_obj_set_int(c, it, "n", i);
		tpl_list_push(c, items, it);
	}
	tpl_obj_set(c, root, "items", items);
	tpl_obj_set_str(c, root, "site", "S");
	assert_int_equal(tpl_ctx_err(c), 0);
	const char *src = "<ul>\n{{#items}}\n  <li id=\"i{{n}}\">{{title}} "
			  "({{site}})</li>\n{{/items}}\n</ul>\n";
	struct tpl *t;
	assert_int_equal(tpl_compile(src, strlen(src), NULL, &t, NULL), 0);
	struct td_buf b;
	td_buf_init(&b, 0);
	clock_t t0 = clock();
	assert_int_equal(tpl_render(t, NULL, root, &b), 0);
	double ms = (double)(clock() - t0) * 1000 / CLOCKS_PER_SEC;
	assert_non_null(strstr(b.p, "<ul>\n  <li id=\"i0\">Item &lt;0&gt; (S)</li>\n"));
	assert_non_null(strstr(b.p, "  <li id=\"i9999\">Item &lt;9999&gt; (S)</li>\n</ul>\n"));
	size_t lines = 0;
	for (size_t i = 0; i < b.len; i++)
		lines += b.p[i] == '\n';
	assert_int_equal(lines, 10002);
	print_message("  10,000-item list: %zu bytes in %.2f ms\n", b.len, ms);
	td_buf_release(&b);
	tpl_free(t);
	tpl_ctx_free(c);
}

static const char page_tpl[] =
	"<!doctype html>\n<html lang=\"{{lang}}\">\n<head>\n"
	"  <meta charset=\"utf-8\">\n  <title>{{title}} - {{site.title}}</title>\n"
	"  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"  <link rel=\"canonical\" href=\"{{url}}\">\n"
	"  <meta property=\"og:title\" content=\"{{title}}\">\n"
	"  <meta property=\"og:description\" content=\"{{summary}}\">\n"
	"  {{#image}}<meta property=\"og:image\" content=\"{{image}}\">{{/image}}\n"
	"  <link rel=\"stylesheet\" href=\"/static/{{site.css}}\">\n"
	"</head>\n<body>\n  {{>header}}\n"
	"  <main id=\"main\">\n    <article class=\"article\">\n"
	"      <p class=\"section\"><a href=\"/\">Latest News</a></p>\n"
	"      <p class=\"meta\"><time datetime=\"{{date_iso}}\">{{date}}</time>"
	" <span class=\"views\">{{views}} Views</span></p>\n"
	"      <h1>{{title}}</h1>\n"
	"      <div class=\"body\">\n{{{body}}}\n      </div>\n"
	"      <p class=\"attribution\">This post appeared first on "
	"<a href=\"{{url}}\" rel=\"noopener\">{{source}}</a></p>\n"
	"    </article>\n"
	"    <aside class=\"other\" aria-labelledby=\"other-h\">\n"
	"      <h2 id=\"other-h\">Other news</h2>\n      <ul>\n"
	"        {{#other}}\n"
	"        <li class=\"card\">\n"
	"          {{#image}}<img src=\"{{image}}\" alt=\"\" loading=\"lazy\">{{/image}}\n"
	"          <a href=\"/a/{{id}}-{{slug}}\">{{title}}</a>\n"
	"          <span class=\"src\">{{source}}</span> &middot; "
	"<time datetime=\"{{date_iso}}\">{{date}}</time>\n"
	"          {{#summary}}<p>{{summary}}</p>{{/summary}}\n"
	"        </li>\n        {{/other}}\n"
	"        {{^other}}<li>Nothing else yet.</li>{{/other}}\n"
	"      </ul>\n    </aside>\n  </main>\n  {{>footer}}\n</body>\n</html>\n";

static struct tpl_val *page_data(struct tpl_ctx *c, const char *body,
				 size_t body_len)
{
	struct tpl_val *root = tpl_obj(c), *site = tpl_obj(c);
	tpl_obj_set_str(c, site, "title", "Tidings");
	tpl_obj_set_str(c, site, "css", "site.3f2a9c.css");
	tpl_obj_set(c, root, "site", site);
	tpl_obj_set_str(c, root, "lang", "en");
	tpl_obj_set_str(c, root, "title",
			"Council approves the \"river park\" plan after long debate");
	tpl_obj_set_str(c, root, "url", "https://example.com/news/2024/01/06/river-park?utm=x&y=1");
	tpl_obj_set_str(c, root, "summary", "The council voted 7-2 on Friday to approve the plan & fund it.");
	tpl_obj_set_str(c, root, "image", "https://example.com/img/park.jpg");
	tpl_obj_set_str(c, root, "date_iso", "2024-01-06T01:10:00Z");
	tpl_obj_set_str(c, root, "date", "06-01-2024 01:10");
	tpl_obj_set_int(c, root, "views", 12);
	tpl_obj_set_str(c, root, "source", "FOX NEWS");
	tpl_obj_set(c, root, "body", tpl_safe_borrow(c, body, body_len));
	struct tpl_val *other = tpl_list(c);
	for (int i = 0; i < 50; i++) {
		struct tpl_val *it = tpl_obj(c);
		tpl_obj_set_int(c, it, "id", 1000 + i);
		tpl_obj_set(c, it, "slug", tpl_strf(c, "story-number-%d", i));
		tpl_obj_set(c, it, "title",
			    tpl_strf(c, "Story %d: markets & weather <today>", i));
		tpl_obj_set_str(c, it, "source", i % 2 ? "Wire" : "Daily Post");
		tpl_obj_set_str(c, it, "date_iso", "2024-01-05T22:00:00Z");
		tpl_obj_set_str(c, it, "date", "05-01-2024 22:00");
		if (i % 3 == 0)
			tpl_obj_set(c, it, "image",
				    tpl_strf(c, "https://img.example.com/%d.jpg", i));
		if (i % 2 == 0)
			tpl_obj_set_str(c, it, "summary",
					"A short summary of the story, with \"quotes\".");
		tpl_list_push(c, other, it);
	}
	tpl_obj_set(c, root, "other", other);
	return root;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void test_speed(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	const char *header =
		"<header class=\"site\">\n  <a class=\"brand\" href=\"/\">{{site.title}}</a>\n"
		"  <nav><a href=\"/\">Latest</a> <a href=\"/search\">Search</a>"
		" <a href=\"/about\">About</a></nav>\n</header>\n";
	const char *footer =
		"<footer>\n  <p>{{site.title}} &middot; <a href=\"/feed.xml\">RSS</a></p>\n</footer>\n";
	assert_int_equal(tpl_set_add(set, "header", header, strlen(header), NULL), 0);
	assert_int_equal(tpl_set_add(set, "footer", footer, strlen(footer), NULL), 0);
	assert_int_equal(tpl_set_add(set, "article", page_tpl, sizeof page_tpl - 1, NULL), 0);
	const struct tpl *t = tpl_set_get(set, "article");

	/* a 12 KB sanitized body */
	struct td_buf body;
	td_buf_init(&body, 0);
	while (body.len < 12000)
		td_buf_puts(&body, "<p>Lorem ipsum dolor sit amet, consectetur "
				   "adipiscing elit, sed do eiusmod tempor "
				   "<a href=\"https://example.com/\">incididunt</a>"
				   " ut labore et dolore magna aliqua.</p>\n");

	/* best of 10 batches: the machine is shared, the minimum is the
	 * least disturbed figure */
	struct tpl_ctx *c = tpl_ctx_new();
	struct td_buf out;
	td_buf_init(&out, 0);
	const int n = 300;
	double all = 1e9, render = 1e9;
	for (int batch = 0; batch < 10; batch++) {
		double t0 = now_us();
		for (int i = 0; i < n; i++) {
			tpl_ctx_reset(c);
			struct tpl_val *root = page_data(c, body.p, body.len);
			assert_int_equal(tpl_ctx_err(c), 0);
			td_buf_reset(&out);
			assert_int_equal(tpl_render(t, set, root, &out), 0);
		}
		double t1 = now_us();
		if ((t1 - t0) / n < all)
			all = (t1 - t0) / n;
		/* render only, same tree */
		tpl_ctx_reset(c);
		struct tpl_val *root = page_data(c, body.p, body.len);
		t0 = now_us();
		for (int i = 0; i < n; i++) {
			td_buf_reset(&out);
			tpl_render(t, set, root, &out);
		}
		t1 = now_us();
		if ((t1 - t0) / n < render)
			render = (t1 - t0) / n;
	}
	assert_non_null(strstr(out.p, "<title>Council approves the &quot;river park&quot; plan"));
	assert_non_null(strstr(out.p, "<a href=\"/a/1049-story-number-49\">Story 49: markets &amp; weather &lt;today&gt;</a>"));
	assert_non_null(strstr(out.p, "<body>\n  <header class=\"site\">\n    <a class=\"brand\""));
	assert_null(strstr(out.p, "Nothing else yet"));
	print_message("  article page (%zu-byte template, 50 other items, %zu-byte "
		      "output): render %.1f us, build data + render %.1f us "
		      "(best of 10 x %d)\n",
		      sizeof page_tpl - 1, out.len, render, all, n);
	td_buf_release(&out);
	td_buf_release(&body);
	tpl_ctx_free(c);
	tpl_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_big_list),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
