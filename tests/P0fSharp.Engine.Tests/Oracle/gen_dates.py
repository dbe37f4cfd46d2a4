# Writes ../Data/http_dates.txt: run from this folder after building ./dates (see dates.c).
import random, subprocess
rnd = random.Random(7)
base = ["Tue, 14 Nov 2023 22:13:20 GMT", "Mon, 04 Mar 2013 17:13:41 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sat, 29 Feb 2020 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 01 Jan 1970 01:00:00 GMT",
        "Wed, 31 Dec 1969 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:61 UTC", "Mon, 01 Jan 0000 00:00:00",
        "Friday, 13 October 2023 13:13:13 CET", "WED, 1 jul 2009 1:2:3", "tHu,1 AUG 2024 10:00:00 +0200",
        "Tue, 31 Feb 2023 22:13:60 GMT", "Tue, 31 Apr 2023 00:00:00", "Tue, 7 Nov 2023 22:13:20", "Tue, 14 Nov 23 22:13:20",
        "Tue, 14Nov2023 22:13:20", "Tue,14 Nov 2023 22:13:20", "Tue, 14 Nov 2023 22:13:20junk", "Tue, 14 Nov 2023 22:13:2",
        " Tue, 14 Nov 2023 22:13:20 GMT", "Tue , 14 Nov 2023 22:13:20", "Tues, 14 Nov 2023 22:13:20", "Tue, 14 Nove 2023 22:13:20",
        "Tue, 14 November 2023 22:13:20", "Tue, 14 Nov  2023  22:13:20", "Tue, 14 Nov 2023 22 :13:20", "Tue, 14 Nov 2023 22: 13: 20",
        "Tue, 14 Nov 2023 -1:13:20", "Tue, 074 Nov 2023 22:13:20", "Tue, 14 Nov 02023 22:13:20", "Tue, 14 Nov 12345 22:13:20",
        "Tue, 00 Nov 2023 00:00:00", "Tue, 32 Nov 2023 00:00:00", "Tue, 14 Nov 2023 24:00:00", "Tue, 14 Nov 2023 23:60:00",
        "Tue, 14 Nov 2023 23:59:62", "Tue, 45 Nov 2023 00:00:00", "Tue, 14 Nov 2023 34:00:00", "Tue, 14 Nov 2023 3:4:5",
        "Tue, 14 Nov 2023 22:13", "Tue, 14 Nov 2023 22:13:", "Tue, +14 Nov 2023 22:13:20", "", "Tue", "Tue,", "Tue, 14",
        "Tue, 14 Nov", "Tue, 14 Nov 2023", "Tue, 14 Nov 2023 22", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Tue,\t14\tNov\t2023\t22:13:20", "Tue, 14 Nov 2023 22:13:20\x0bGMT", "Tue, 1 Jan 2023 00:00:00", "Tue, 19 Jan 2038 03:14:08 GMT",
        "Tue, 07 Feb 2106 06:28:16 GMT", "Tue, 14 Sep 2023 22:13:20", "Tue, 14 Sept 2023 22:13:20", "Tue, 14 Dec 2023 22:13:20",
        "Mon, 14 May 2023 22:13:20", "Mon, 14 Mayo 2023 22:13:20", "Thurs, 14 Nov 2023", "Sat, 14 Jun 2023 07:08:09",
        "Sat, 9 Jun 999 07:08:09", "Sat, 9 Jun 1 07:08:09", "Sat, 09 Jun 2023 7:8:9pm", "Tue, 14 Nov 2023 22:13:20\x0c",
        "Tue,\x0c14 Nov 2023 22:13:20", "Tue, 14 Nov 2023 22:13:20\rGMT", "Sun,\r06 Nov 1994 08:49:37"]
def mutate(s):
    s = list(s)
    for _ in range(rnd.randint(1, 3)):
        op = rnd.randint(0, 5)
        i = rnd.randrange(len(s) + 1)
        if op == 0 and s: del s[min(i, len(s) - 1)]
        elif op == 1: s.insert(i, rnd.choice(" ,:0123456789aZ\t-+"))
        elif op == 2 and s:
            j = min(i, len(s) - 1); s[j] = s[j].swapcase()
        elif op == 3 and s:
            j = min(i, len(s) - 1)
            if s[j].isdigit(): s[j] = str(rnd.randint(0, 9))
        elif op == 4: s.insert(i, " ")
        else:
            if s: del s[min(i, len(s) - 1):]
    return "".join(s)
items = list(base)
for _ in range(400):
    items.append(mutate(rnd.choice(base[:12])))
seen = []
for x in items:
    if x not in seen and "\n" not in x: seen.append(x)
raw = subprocess.run(["./dates"], input=("\n".join(seen) + "\n").encode("latin-1"), capture_output=True, env={"TZ": "UTC"}).stdout
out = raw.split(b"\n")[:-1]
assert len(out) == len(seen), (len(out), len(seen))
with open("../Data/http_dates.txt", "w") as f:
    f.write("# glibc 2.36 strptime(\"%a, %d %b %Y %H:%M:%S %Z\") + mktime(tm_isdst=1) with TZ=UTC, as uint32 (0 = no parse)\n")
    f.write("# columns: expected <TAB> input bytes as hex\n")
    for line, x in zip(out, seen):
        v = line.split(b"\t", 1)[0].decode()
        f.write(v + "\t" + x.encode("latin-1").hex() + "\n")
print(len(seen), sum(1 for l in out if l.split(b"\t")[0] != b"0"))
