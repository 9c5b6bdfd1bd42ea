/* test_nsenter.c — host PID 1's environment is split on NUL bytes, never
 * through a shell: values with spaces, quotes and $(...) stay literal. */
#include <criterion/criterion.h>
#include <string.h>

#include "nsenter.h"
#include "strv.h"

Test(nsenter, splits_environ_literally)
{
        static const char blk[] = "PATH=/bin\0X=a b $(touch y) 'q'\0noequals\0=bad\0EMPTY=\0";
        char **v = NULL;

        cr_assert_eq(nsenter_split_environ(blk, sizeof(blk) - 1, &v), 0);
        cr_assert_eq(strv_len(v), 3);
        cr_assert_str_eq(v[0], "PATH=/bin");
        cr_assert_str_eq(v[1], "X=a b $(touch y) 'q'");
        cr_assert_str_eq(v[2], "EMPTY=");
        strv_free(v);
}

Test(nsenter, an_unterminated_last_entry_and_an_empty_block)
{
        char **v = NULL;

        cr_assert_eq(nsenter_split_environ("A=1\0B=2", 7, &v), 0);
        cr_assert_eq(strv_len(v), 2);
        cr_assert_str_eq(v[1], "B=2");
        strv_free(v);
        cr_assert_eq(nsenter_split_environ("", 0, &v), 0);
        cr_assert_not_null(v);
        cr_assert_eq(strv_len(v), 0);
        strv_free(v);
}
