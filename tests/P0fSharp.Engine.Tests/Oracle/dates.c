/* glibc oracle for HttpDate: strptime("%a, %d %b %Y %H:%M:%S %Z") + mktime, one input per line.
   Build: gcc -DISDST=1 -o dates dates.c   (p0f's tm_isdst is stack garbage, positive in practice)
   Used by gen_dates.py to write ../Data/http_dates.txt (TZ=UTC). */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
int main(void){
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line); if (n && line[n-1]=='\n') line[--n]=0;
    struct tm t; memset(&t, 0, sizeof t); t.tm_isdst = ISDST;
    char* r = strptime(line, "%a, %d %b %Y %H:%M:%S %Z", &t);
    if (!r) { printf("0\t%s\n", line); continue; }
    printf("%u\t%s\n", (uint32_t)mktime(&t), line);
  }
}
