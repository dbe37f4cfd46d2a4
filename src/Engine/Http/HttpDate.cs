namespace P0fSharp.Engine.Http;

/// <summary>
/// The value p0f derives from a response's <c>Date:</c> header: C's
/// <c>strptime(value, "%a, %d %b %Y %H:%M:%S %Z")</c> (glibc rules, C locale) followed by
/// <c>mktime</c> in the local zone (read as daylight time, see <see cref="ToUniversal"/>),
/// truncated to 32 bits; 0 when the text does not parse.
/// Only differences between two such values are ever used.
/// </summary>
internal static class HttpDate
{
    private static readonly string[] Weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly string[] Months =
    [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ];

    /// <summary>Parses in the process's local zone (TZ), like p0f.</summary>
    public static uint Parse(ReadOnlySpan<byte> value) => Parse(value, TimeZoneInfo.Local);

    public static uint Parse(ReadOnlySpan<byte> value, TimeZoneInfo zone)
    {
        // The value is a C string to strptime: it ends at the first NUL.
        int nul = value.IndexOf((byte)0);
        if (nul >= 0)
        {
            value = value[..nul];
        }

        var reader = new Reader(value);

        // %a: full or abbreviated weekday, case-insensitive, longest match, no leading blanks.
        if (!reader.MatchName(Weekdays, out _))
        {
            return 0;
        }

        // ',' must match literally; ' ' matches any run of blanks (also none).
        if (!reader.Literal((byte)','))
        {
            return 0;
        }

        reader.SkipSpaces();
        if (!reader.Number(1, 31, 2, out int day))
        {
            return 0;
        }

        reader.SkipSpaces();
        if (!reader.MatchName(Months, out int month))
        {
            return 0;
        }

        reader.SkipSpaces();
        if (!reader.Number(0, 9999, 4, out int year))
        {
            return 0;
        }

        reader.SkipSpaces();
        if (!reader.Number(0, 23, 2, out int hour) || !reader.Literal((byte)':'))
        {
            return 0;
        }

        if (!reader.Number(0, 59, 2, out int minute) || !reader.Literal((byte)':'))
        {
            return 0;
        }

        if (!reader.Number(0, 61, 2, out int second))
        {
            return 0;
        }

        // " %Z": blanks, then a zone name that is read and ignored; it never fails, and
        // anything after it is ignored too.
        long local = (DaysFromCivil(year, month + 1, 1) + day - 1) * 86400L + (hour * 3600L) + (minute * 60L) + second;
        return (uint)ToUniversal(local, zone);
    }

    /// <summary>
    /// mktime on p0f's uninitialised <c>struct tm</c>: its <c>tm_isdst</c> is stack garbage that
    /// is positive on the reference build (verified against p0f: with TZ=UTC,
    /// <c>Thu, 01 Jan 1970 01:00:00</c> yields 0), so glibc reads the wall-clock time as
    /// daylight time, one hour ahead of standard time, even in zones without DST.
    /// </summary>
    private static long ToUniversal(long localSeconds, TimeZoneInfo zone)
    {
        const long DaylightShift = 3600;
        if (ReferenceEquals(zone, TimeZoneInfo.Utc) || (zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime))
        {
            return localSeconds - DaylightShift;
        }

        // DateTime covers years 1..9999; outside that the zone's offset is taken from the
        // nearest representable instant.
        const long MinSeconds = -62135596800L + 86400;
        const long MaxSeconds = 253402300799L - 86400;
        long clamped = Math.Clamp(localSeconds, MinSeconds, MaxSeconds);
        var wallClock = new DateTime(DateTime.UnixEpoch.AddSeconds(clamped).Ticks, DateTimeKind.Unspecified);
        var offset = zone.GetUtcOffset(wallClock);
        if (zone.IsDaylightSavingTime(wallClock))
        {
            offset -= TimeSpan.FromSeconds(DaylightShift);
        }

        return localSeconds - (long)offset.TotalSeconds - DaylightShift;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (any year).</summary>
    private static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        long era = (year >= 0 ? year : year - 399) / 400;
        long yearOfEra = year - (era * 400);
        long dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        long dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146097) + dayOfEra - 719468;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _text;
        private int _pos;

        public Reader(ReadOnlySpan<byte> text)
        {
            _text = text;
            _pos = 0;
        }

        private readonly byte Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : (byte)0;

        /// <summary>C isspace in the C locale.</summary>
        private static bool IsSpace(byte c) => c == ' ' || (c >= '\t' && c <= '\r');

        public void SkipSpaces()
        {
            while (IsSpace(Peek()))
            {
                _pos++;
            }
        }

        public bool Literal(byte c)
        {
            if (Peek() != c)
            {
                return false;
            }

            _pos++;
            return true;
        }

        /// <summary>
        /// glibc's get_number: skips blanks, then reads at most <paramref name="digits"/> digits,
        /// stopping early once another digit would exceed <paramref name="max"/>.
        /// </summary>
        public bool Number(int min, int max, int digits, out int value)
        {
            value = 0;
            SkipSpaces();
            if (!IsDigit(Peek()))
            {
                return false;
            }

            int left = digits;
            do
            {
                value = (value * 10) + (Peek() - '0');
                _pos++;
            }
            while (--left > 0 && value * 10 <= max && IsDigit(Peek()));

            return value >= min && value <= max;
        }

        /// <summary>
        /// Full names and their three-letter abbreviations, compared case-insensitively
        /// (ASCII); the longest match wins.
        /// </summary>
        public bool MatchName(string[] names, out int index)
        {
            index = -1;
            int best = 0;
            for (int i = 0; i < names.Length; i++)
            {
                int length = MatchLength(names[i]);
                if (length == 0)
                {
                    length = MatchLength(names[i].AsSpan(0, 3));
                }

                if (length > best)
                {
                    best = length;
                    index = i;
                }
            }

            if (index < 0)
            {
                return false;
            }

            _pos += best;
            return true;
        }

        private readonly int MatchLength(ReadOnlySpan<char> name)
        {
            for (int i = 0; i < name.Length; i++)
            {
                byte c = Peek(i);
                if (ToLower(c) != char.ToLowerInvariant(name[i]))
                {
                    return 0;
                }
            }

            return name.Length;
        }

        private static int ToLower(byte c) => c >= 'A' && c <= 'Z' ? c + 32 : c;

        private static bool IsDigit(byte c) => c >= '0' && c <= '9';
    }
}
