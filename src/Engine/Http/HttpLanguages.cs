namespace P0fSharp.Engine.Http;

/// <summary>
/// The two-letter Accept-Language codes p0f recognises (ISO 639-1, lower case, 185 entries)
/// and the language names it reports for them.
/// </summary>
internal static class HttpLanguages
{
    private static readonly (string Code, string Name)[] Codes =
    [
        ("aa", "Afar"),
        ("ab", "Abkhazian"),
        ("ae", "Avestan"),
        ("af", "Afrikaans"),
        ("ak", "Akan"),
        ("am", "Amharic"),
        ("an", "Aragonese"),
        ("ar", "Arabic"),
        ("as", "Assamese"),
        ("av", "Avaric"),
        ("ay", "Aymara"),
        ("az", "Azerbaijani"),
        ("ba", "Bashkir"),
        ("be", "Belarusian"),
        ("bg", "Bulgarian"),
        ("bh", "Bihari"),
        ("bi", "Bislama"),
        ("bm", "Bambara"),
        ("bn", "Bengali"),
        ("bo", "Tibetan"),
        ("br", "Breton"),
        ("bs", "Bosnian"),
        ("ca", "Catalan"),
        ("ce", "Chechen"),
        ("ch", "Chamorro"),
        ("co", "Corsican"),
        ("cr", "Cree"),
        ("cs", "Czech"),
        ("cu", "Church Slavic"),
        ("cv", "Chuvash"),
        ("cy", "Welsh"),
        ("da", "Danish"),
        ("de", "German"),
        ("dv", "Dhivehi"),
        ("dz", "Dzongkha"),
        ("ee", "Ewe"),
        ("el", "Modern Greek"),
        ("en", "English"),
        ("eo", "Esperanto"),
        ("es", "Spanish"),
        ("et", "Estonian"),
        ("eu", "Basque"),
        ("fa", "Persian"),
        ("ff", "Fulah"),
        ("fi", "Finnish"),
        ("fj", "Fijian"),
        ("fo", "Faroese"),
        ("fr", "French"),
        ("fy", "Western Frisian"),
        ("ga", "Irish"),
        ("gd", "Scottish Gaelic"),
        ("gl", "Galician"),
        ("gn", "Guarani"),
        ("gu", "Gujarati"),
        ("gv", "Manx"),
        ("ha", "Hausa"),
        ("he", "Hebrew"),
        ("hi", "Hindi"),
        ("ho", "Hiri Motu"),
        ("hr", "Croatian"),
        ("ht", "Haitian"),
        ("hu", "Hungarian"),
        ("hy", "Armenian"),
        ("hz", "Herero"),
        ("ia", "Interlingua"),
        ("id", "Indonesian"),
        ("ie", "Interlingue"),
        ("ig", "Igbo"),
        ("ii", "Sichuan Yi"),
        ("ik", "Inupiaq"),
        ("io", "Ido"),
        ("is", "Icelandic"),
        ("it", "Italian"),
        ("iu", "Inuktitut"),
        ("ja", "Japanese"),
        ("jv", "Javanese"),
        ("ka", "Georgian"),
        ("kg", "Kongo"),
        ("ki", "Kikuyu"),
        ("kj", "Kuanyama"),
        ("kk", "Kazakh"),
        ("kl", "Kalaallisut"),
        ("km", "Central Khmer"),
        ("kn", "Kannada"),
        ("ko", "Korean"),
        ("kr", "Kanuri"),
        ("ks", "Kashmiri"),
        ("ku", "Kurdish"),
        ("kv", "Komi"),
        ("kw", "Cornish"),
        ("ky", "Kirghiz"),
        ("la", "Latin"),
        ("lb", "Luxembourgish"),
        ("lg", "Ganda"),
        ("li", "Limburgan"),
        ("ln", "Lingala"),
        ("lo", "Lao"),
        ("lt", "Lithuanian"),
        ("lu", "Luba-Katanga"),
        ("lv", "Latvian"),
        ("mg", "Malagasy"),
        ("mh", "Marshallese"),
        ("mi", "Maori"),
        ("mk", "Macedonian"),
        ("ml", "Malayalam"),
        ("mn", "Mongolian"),
        ("mr", "Marathi"),
        ("ms", "Malay"),
        ("mt", "Maltese"),
        ("my", "Burmese"),
        ("na", "Nauru"),
        ("nb", "Norwegian Bokmal"),
        ("nd", "North Ndebele"),
        ("ne", "Nepali"),
        ("ng", "Ndonga"),
        ("nl", "Dutch"),
        ("nn", "Norwegian Nynorsk"),
        ("no", "Norwegian"),
        ("nr", "South Ndebele"),
        ("nv", "Navajo"),
        ("ny", "Nyanja"),
        ("oc", "Occitan"),
        ("oj", "Ojibwa"),
        ("om", "Oromo"),
        ("or", "Oriya"),
        ("os", "Ossetian"),
        ("pa", "Panjabi"),
        ("pi", "Pali"),
        ("pl", "Polish"),
        ("ps", "Pushto"),
        ("pt", "Portuguese"),
        ("qu", "Quechua"),
        ("rm", "Romansh"),
        ("rn", "Rundi"),
        ("ro", "Romanian"),
        ("ru", "Russian"),
        ("rw", "Kinyarwanda"),
        ("sa", "Sanskrit"),
        ("sc", "Sardinian"),
        ("sd", "Sindhi"),
        ("se", "Northern Sami"),
        ("sg", "Sango"),
        ("sh", "Serbo-Croatian"),
        ("si", "Sinhala"),
        ("sk", "Slovak"),
        ("sl", "Slovenian"),
        ("sm", "Samoan"),
        ("sn", "Shona"),
        ("so", "Somali"),
        ("sq", "Albanian"),
        ("sr", "Serbian"),
        ("ss", "Swati"),
        ("st", "Southern Sotho"),
        ("su", "Sundanese"),
        ("sv", "Swedish"),
        ("sw", "Swahili"),
        ("ta", "Tamil"),
        ("te", "Telugu"),
        ("tg", "Tajik"),
        ("th", "Thai"),
        ("ti", "Tigrinya"),
        ("tk", "Turkmen"),
        ("tl", "Tagalog"),
        ("tn", "Tswana"),
        ("to", "Tonga"),
        ("tr", "Turkish"),
        ("ts", "Tsonga"),
        ("tt", "Tatar"),
        ("tw", "Twi"),
        ("ty", "Tahitian"),
        ("ug", "Uighur"),
        ("uk", "Ukrainian"),
        ("ur", "Urdu"),
        ("uz", "Uzbek"),
        ("ve", "Venda"),
        ("vi", "Vietnamese"),
        ("vo", "Volapuk"),
        ("wa", "Walloon"),
        ("wo", "Wolof"),
        ("xh", "Xhosa"),
        ("yi", "Yiddish"),
        ("yo", "Yoruba"),
        ("za", "Zhuang"),
        ("zh", "Chinese"),
        ("zu", "Zulu"),
    ];

    /// <summary>Names indexed by (first - 'a') * 26 + (second - 'a').</summary>
    private static readonly string?[] ByCode = BuildIndex();

    /// <summary>Number of recognised codes.</summary>
    public static int Count => Codes.Length;

    /// <summary>
    /// True when p0f would look the value up at all: it starts with two ASCII letters and the
    /// third byte (or the end of the value) is not a letter.
    /// </summary>
    public static bool HasCode(ReadOnlySpan<byte> value)
    {
        byte c0 = value.Length > 0 ? value[0] : (byte)0;
        byte c1 = value.Length > 1 ? value[1] : (byte)0;
        byte c2 = value.Length > 2 ? value[2] : (byte)0;
        return IsAsciiLetter(c0) && IsAsciiLetter(c1) && !IsAsciiLetter(c2);
    }

    /// <summary>The language for a lower-case two-letter code, or null. Case-sensitive.</summary>
    public static string? Lookup(byte first, byte second)
    {
        if (first < 'a' || first > 'z' || second < 'a' || second > 'z')
        {
            return null;
        }

        return ByCode[((first - 'a') * 26) + (second - 'a')];
    }

    private static bool IsAsciiLetter(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    private static string?[] BuildIndex()
    {
        var index = new string?[26 * 26];
        foreach (var (code, name) in Codes)
        {
            index[((code[0] - 'a') * 26) + (code[1] - 'a')] = name;
        }

        return index;
    }
}
