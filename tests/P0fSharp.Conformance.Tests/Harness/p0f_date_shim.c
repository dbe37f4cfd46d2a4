/*
 * LD_PRELOAD shim for the reference p0f in the differential tests (see DateShim.cs).
 *
 * p0f 3.09b converts an HTTP 'Date' header with strptime() into a struct tm that it never
 * initialises, then calls mktime(). strptime() does not set tm_isdst, so mktime() sees
 * whatever the stack held there: when that happens to be positive, glibc moves the result
 * one hour back, which now and then turns an unchanged Date into a 'date' host-change
 * reason. Which packets hit it depends on earlier calls' stack leftovers, not on the
 * capture. This shim clears tm_isdst before the real strptime() runs, so the reference
 * behaves like p0f with a zero-initialised struct tm (what P0fSharp implements).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>

char *strptime(const char *text, const char *format, struct tm *tm)
{
    static char *(*real_strptime)(const char *, const char *, struct tm *);
    if (real_strptime == NULL)
        real_strptime = (char *(*)(const char *, const char *, struct tm *))dlsym(RTLD_NEXT, "strptime");
    tm->tm_isdst = 0;
    return real_strptime(text, format, tm);
}
