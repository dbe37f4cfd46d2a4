using System.Runtime.InteropServices;
using P0fSharp.Signatures.Http;
using P0fSharp.Signatures.Mtu;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Signatures.Database;

/// <summary>
/// p0f.fp reader: line splitting and the statement state machine of p0f's readfp.c, with
/// the per-module <c>sig</c> parsers plugged in. One instance parses one file.
/// </summary>
internal sealed class DatabaseParser
{
    private readonly NameTable _names = new();
    private readonly List<string> _classes = [];
    private readonly List<SignatureLabel> _labels = [];
    private readonly TcpBuild _tcpRequest = new();
    private readonly TcpBuild _tcpResponse = new();
    private readonly List<MtuSignature> _mtu = [];
    private readonly HttpHeaderTable _headers = new();
    private readonly List<HttpSignature> _httpRequest = [];
    private readonly List<HttpSignature> _httpResponse = [];
    private readonly List<UaOsEntry> _uaOs = [];

    private State _state = State.NeedSection;
    private Module _module = Module.Tcp;
    private bool _toServer;
    private int _classId;
    private string? _mtuLabel;
    private SignatureLabel? _label;
    private IReadOnlyList<SysEntry> _sys = [];
    private int _labelCounter;
    private int _signatureCount;

    private enum State
    {
        NeedSection,
        NeedLabel,
        NeedSys,
        NeedSig,
    }

    private enum Module
    {
        Tcp,
        Mtu,
        Http,
    }

    public static SignatureDatabase Parse(ReadOnlySpan<byte> content, string fileName)
    {
        var parser = new DatabaseParser();
        int lineNo = 0;
        try
        {
            // p0f treats the file as a C string.
            int nul = content.IndexOf((byte)0);
            if (nul >= 0)
            {
                content = content[..nul];
            }

            int cur = 0;
            while (true)
            {
                lineNo++;
                while (cur < content.Length && CText.IsBlank(content[cur]))
                {
                    cur++;
                }

                int eol = content[cur..].IndexOf((byte)'\n');
                eol = eol < 0 ? content.Length : cur + eol;

                if (cur != eol && content[cur] != ';')
                {
                    parser.ParseLine(new LineText(content[cur..eol]), lineNo);
                }

                if (eol >= content.Length)
                {
                    break;
                }

                cur = eol + 1;
            }
        }
        catch (ParseFailure failure)
        {
            throw new SignatureDatabaseException(fileName, lineNo, failure.Reason)
            {
                ReasonEndsWithNewline = failure.EndsWithNewline,
            };
        }

        return new SignatureDatabase(
            fileName,
            parser._signatureCount,
            parser._classes.ToArray(),
            parser._names.Names.ToArray(),
            parser._labels.ToArray(),
            parser._tcpRequest.Freeze(),
            parser._tcpResponse.Freeze(),
            parser._mtu.ToArray(),
            parser._headers,
            parser._httpRequest.ToArray(),
            parser._httpResponse.ToArray(),
            parser._uaOs.ToArray());
    }

    private void ParseLine(in LineText line, int lineNo)
    {
        if (line.At(0) == '[')
        {
            ParseSection(line, lineNo);
            return;
        }

        // key = value; the key is letters and underscores only.
        int v = 0;
        while (CText.IsAlpha(line.At(v)) || line.At(v) == '_')
        {
            v++;
        }

        int keyEnd = v;
        while (CText.IsBlank(line.At(v)))
        {
            v++;
        }

        if (v == 0 || line.At(v) != '=')
        {
            throw ParseFailure.InLine("Unexpected statement", lineNo);
        }

        do
        {
            v++;
        }
        while (CText.IsBlank(line.At(v)));

        ReadOnlySpan<byte> key = line.Bytes[..keyEnd];
        if (key.SequenceEqual("classes"u8))
        {
            if (_state != State.NeedSection)
            {
                throw ParseFailure.InLine("misplaced 'classes'", lineNo);
            }

            ParseClasses(line, v, lineNo);
        }
        else if (key.SequenceEqual("ua_os"u8))
        {
            // p0f's message really says 'us_os'.
            if (_state != State.NeedLabel || !_toServer || _module != Module.Http)
            {
                throw ParseFailure.InLine("misplaced 'us_os'", lineNo);
            }

            HttpSignatureParser.ParseUaOs(line, v, lineNo, _names, _uaOs);
        }
        else if (key.SequenceEqual("label"u8))
        {
            if (_state != State.NeedLabel && _state != State.NeedSig)
            {
                throw ParseFailure.InLine("misplaced 'label'", lineNo);
            }

            ParseLabel(line, v, lineNo);
            _state = _module != Module.Mtu && _classId < 0 ? State.NeedSys : State.NeedSig;
        }
        else if (key.SequenceEqual("sys"u8))
        {
            if (_state != State.NeedSys)
            {
                throw ParseFailure.InLine("Misplaced 'sys'", lineNo);
            }

            ParseSys(line, v, lineNo);
            _state = State.NeedSig;
        }
        else if (key.SequenceEqual("sig"u8))
        {
            if (_state != State.NeedSig)
            {
                throw ParseFailure.InLine("Misplaced 'sig'", lineNo);
            }

            switch (_module)
            {
                case Module.Tcp:
                    RegisterTcp(line, v, lineNo);
                    break;
                case Module.Mtu:
                    RegisterMtu(line, v, lineNo);
                    break;
                default:
                    RegisterHttp(line, v, lineNo);
                    break;
            }

            _signatureCount++;
        }
        else
        {
            throw ParseFailure.InLine($"Unrecognized field '{line.Text(0, keyEnd)}'", lineNo);
        }
    }

    private void ParseSection(in LineText line, int lineNo)
    {
        if (line.RestEquals(1, "mtu]"u8))
        {
            _module = Module.Mtu;
            _state = State.NeedLabel;
            return;
        }

        int colon = line.Bytes[1..].IndexOf((byte)':');
        if (colon < 0)
        {
            throw ParseFailure.InLine("Malformed section identifier", lineNo);
        }

        colon++;
        ReadOnlySpan<byte> module = line.Bytes[1..colon];
        if (module.SequenceEqual("tcp"u8))
        {
            _module = Module.Tcp;
        }
        else if (module.SequenceEqual("http"u8))
        {
            _module = Module.Http;
        }
        else
        {
            throw ParseFailure.InLine($"Unrecognized fingerprinting module '{line.Text(1, colon)}'", lineNo);
        }

        if (line.RestEquals(colon + 1, "request]"u8))
        {
            _toServer = true;
        }
        else if (line.RestEquals(colon + 1, "response]"u8))
        {
            _toServer = false;
        }
        else
        {
            throw ParseFailure.InLine("Unrecognized traffic direction", lineNo);
        }

        _state = State.NeedLabel;
    }

    private void ParseClasses(in LineText line, int v, int lineNo)
    {
        while (line.At(v) != 0)
        {
            while (CText.IsBlank(line.At(v)) || line.At(v) == ',')
            {
                v++;
            }

            int n = v;
            while (CText.IsAlnum(line.At(n)))
            {
                n++;
            }

            if (n == v || (line.At(n) != 0 && line.At(n) != ','))
            {
                throw ParseFailure.InLine("Malformed class entry", lineNo);
            }

            _classes.Add(line.Text(v, n));
            v = n;
        }
    }

    private void ParseLabel(in LineText line, int v, int lineNo)
    {
        if (_module == Module.Mtu)
        {
            if (line.At(v) == 0)
            {
                throw new ParseFailure($"Empty MTU label in line {lineNo}.") { EndsWithNewline = true };
            }

            _mtuLabel = line.Rest(v);
            return;
        }

        bool generic;
        if (line.At(v) == 'g')
        {
            generic = true;
        }
        else if (line.At(v) == 's')
        {
            generic = false;
        }
        else
        {
            throw ParseFailure.InLine("Malformed class entry", lineNo);
        }

        if (line.At(v + 1) != ':')
        {
            throw ParseFailure.InLine("Malformed class entry", lineNo);
        }

        v += 2;
        int n = v;
        while (CText.IsAlnum(line.At(n)) || line.At(n) == '!')
        {
            n++;
        }

        if (n == v || line.At(n) != ':')
        {
            throw ParseFailure.InLine("Malformed class entry", lineNo);
        }

        if (line.At(v) == '!' && line.At(v + 1) == ':')
        {
            _classId = -1;
        }
        else
        {
            string className = line.Text(v, n);
            _classId = FindClass(className);
            if (_classId < 0)
            {
                throw ParseFailure.InLine($"Unknown class '{className}'", lineNo);
            }
        }

        n++;
        v = n;
        while (CText.IsNameChar(line.At(n)))
        {
            n++;
        }

        if (n == v || line.At(n) != ':')
        {
            throw ParseFailure.InLine("Malformed name", lineNo);
        }

        // p0f passes the name length as a u8, so names of 256+ bytes wrap around.
        int nameId = _names.LookupOrAdd(line.Text(v, v + ((n - v) & 0xFF)));
        string? flavor = line.At(n + 1) != 0 ? line.Rest(n + 1) : null;

        _labelCounter++;
        _label = new SignatureLabel(
            _labelCounter,
            generic,
            _classId,
            _classId < 0 ? null : _classes[_classId],
            nameId,
            _names.Names[nameId],
            flavor,
            _sys);
        _labels.Add(_label);
    }

    private void ParseSys(in LineText line, int v, int lineNo)
    {
        var entries = new List<SysEntry>();
        while (line.At(v) != 0)
        {
            while (CText.IsBlank(line.At(v)) || line.At(v) == ',')
            {
                v++;
            }

            bool isClass = false;
            if (line.At(v) == '@')
            {
                isClass = true;
                v++;
            }

            int n = v;
            while (CText.IsNameChar(line.At(n)))
            {
                n++;
            }

            if (n == v || (line.At(n) != 0 && line.At(n) != ','))
            {
                throw ParseFailure.InLine("Malformed sys entry", lineNo);
            }

            string text = line.Text(v, n);
            if (isClass)
            {
                int classId = FindClass(text);
                if (classId < 0)
                {
                    throw ParseFailure.InLine($"Unknown class '{text}'", lineNo);
                }

                entries.Add(new SysEntry(true, classId));
            }
            else
            {
                entries.Add(new SysEntry(false, _names.LookupOrAdd(text)));
            }

            v = n;
        }

        _sys = entries.ToArray();
        _label?.SetSys(_sys);
    }

    private int FindClass(string name)
    {
        for (int i = 0; i < _classes.Count; i++)
        {
            if (CText.EqualsIgnoreCase(_classes[i], name))
            {
                return i;
            }
        }

        return -1;
    }

    private void RegisterTcp(in LineText line, int v, int lineNo)
    {
        TcpBuild build = _toServer ? _tcpRequest : _tcpResponse;
        TcpSignature sig = TcpSignatureParser.Parse(line, v, lineNo, CurrentLabel(), !_toServer);

        List<TcpSignature> bucket = build.Bucket(sig.Layout);
        TcpSignature? covering = TcpMatcher.FindCovering(CollectionsMarshal.AsSpan(bucket), new TcpProbe(sig));
        if (covering is not null)
        {
            throw new ParseFailure($"Signature in line {lineNo} is already covered by line {covering.Line}.");
        }

        bucket.Add(sig);
        build.All.Add(sig);
    }

    private void RegisterMtu(in LineText line, int v, int lineNo)
    {
        int n = v;
        while (CText.IsDigit(line.At(n)))
        {
            n++;
        }

        if (n == v || line.At(n) != 0)
        {
            throw ParseFailure.InLine("Malformed MTU value", lineNo);
        }

        int mtu = CText.Atol32(line, v);
        if (mtu <= 0 || mtu > 65535)
        {
            throw ParseFailure.InLine("Malformed MTU value", lineNo);
        }

        _mtu.Add(new MtuSignature(mtu, _mtuLabel ?? string.Empty, lineNo));
    }

    private void RegisterHttp(in LineText line, int v, int lineNo)
    {
        List<HttpSignature> list = _toServer ? _httpRequest : _httpResponse;
        HttpSignature sig = HttpSignatureParser.Parse(line, v, lineNo, CurrentLabel(), !_toServer, _headers);

        HttpSignature? covering = HttpMatcher.FindCovering(list, sig);
        if (covering is not null)
        {
            throw new ParseFailure($"Signature in line {lineNo} is already covered by line {covering.Line}.");
        }

        list.Add(sig);
    }

    /// <summary>The state machine guarantees a label before any TCP/HTTP sig.</summary>
    private SignatureLabel CurrentLabel() => _label ?? throw new ParseFailure("internal: sig without label");

    /// <summary>TCP signatures of one direction, grouped by exact option layout.</summary>
    private sealed class TcpBuild
    {
        private readonly Dictionary<TcpOptionLayout, List<TcpSignature>> _byLayout = [];

        public List<TcpSignature> All { get; } = [];

        public List<TcpSignature> Bucket(in TcpOptionLayout layout)
        {
            if (!_byLayout.TryGetValue(layout, out List<TcpSignature>? bucket))
            {
                bucket = [];
                _byLayout.Add(layout, bucket);
            }

            return bucket;
        }

        public TcpSignatureSet Freeze()
        {
            var index = new Dictionary<TcpOptionLayout, TcpSignature[]>(_byLayout.Count);
            foreach (KeyValuePair<TcpOptionLayout, List<TcpSignature>> pair in _byLayout)
            {
                index.Add(pair.Key, pair.Value.ToArray());
            }

            return new TcpSignatureSet(All.ToArray(), index);
        }
    }
}
