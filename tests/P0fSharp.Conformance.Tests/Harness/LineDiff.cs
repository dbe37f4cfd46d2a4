using System.Text;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// Line diff (Myers' O(ND) algorithm on the part between the common prefix and suffix)
/// with a unified-style rendering. "p0f" lines are the reference (-), "ours" are (+).
/// </summary>
internal static class LineDiff
{
    /// <summary>Beyond this many edits the exact script is not worth computing; a positional fallback is used.</summary>
    private const int MaxEdits = 2000;

    public enum Kind
    {
        Same,
        Removed,
        Added,
    }

    public readonly record struct Edit(Kind Kind, int ExpectedIndex, int ActualIndex);

    public sealed record Result(IReadOnlyList<Edit> Script, int Removed, int Added)
    {
        public bool Equal => Removed == 0 && Added == 0;

        /// <summary>Number of differing lines: reference lines missing from ours plus extra lines of ours.</summary>
        public int Differing => Removed + Added;
    }

    public static Result Compare(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        int prefix = 0;
        while (prefix < expected.Count && prefix < actual.Count && expected[prefix] == actual[prefix])
        {
            prefix++;
        }

        int suffix = 0;
        while (suffix < expected.Count - prefix && suffix < actual.Count - prefix
               && expected[expected.Count - 1 - suffix] == actual[actual.Count - 1 - suffix])
        {
            suffix++;
        }

        var script = new List<Edit>(Math.Max(expected.Count, actual.Count) + 8);
        for (int i = 0; i < prefix; i++)
        {
            script.Add(new Edit(Kind.Same, i, i));
        }

        int n = expected.Count - prefix - suffix;
        int m = actual.Count - prefix - suffix;
        List<Edit> middle = Myers(expected, actual, prefix, n, m) ?? Positional(expected, actual, prefix, n, m);
        script.AddRange(middle);
        for (int i = 0; i < suffix; i++)
        {
            script.Add(new Edit(Kind.Same, expected.Count - suffix + i, actual.Count - suffix + i));
        }

        int removed = script.Count(e => e.Kind == Kind.Removed);
        int added = script.Count(e => e.Kind == Kind.Added);
        return new Result(script, removed, added);
    }

    private static List<Edit>? Myers(IReadOnlyList<string> a, IReadOnlyList<string> b, int offset, int n, int m)
    {
        if (n == 0 || m == 0)
        {
            var trivial = new List<Edit>(n + m);
            for (int i = 0; i < n; i++)
            {
                trivial.Add(new Edit(Kind.Removed, offset + i, -1));
            }

            for (int j = 0; j < m; j++)
            {
                trivial.Add(new Edit(Kind.Added, -1, offset + j));
            }

            return trivial;
        }

        int max = Math.Min(n + m, MaxEdits);
        int size = 2 * max + 1;
        var v = new int[size];
        var trace = new List<int[]>();
        int found = -1;
        for (int d = 0; d <= max && found < 0; d++)
        {
            // Snapshot of v for k in [-d, d] before round d: all that backtracking needs.
            var snapshot = new int[(2 * d) + 1];
            Array.Copy(v, max - d, snapshot, 0, snapshot.Length);
            trace.Add(snapshot);
            for (int k = -d; k <= d; k += 2)
            {
                int x = k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max]) ? v[k + 1 + max] : v[k - 1 + max] + 1;
                int y = x - k;
                while (x < n && y < m && a[offset + x] == b[offset + y])
                {
                    x++;
                    y++;
                }

                v[k + max] = x;
                if (x >= n && y >= m)
                {
                    found = d;
                    break;
                }
            }
        }

        if (found < 0)
        {
            return null;
        }

        // Walk the trace backwards to recover the edit script.
        var reversed = new List<Edit>();
        int cx = n;
        int cy = m;
        for (int d = found; d > 0; d--)
        {
            int[] vd = trace[d];
            int k = cx - cy;
            int prevK = k == -d || (k != d && vd[k - 1 + d] < vd[k + 1 + d]) ? k + 1 : k - 1;
            int prevX = vd[prevK + d];
            int prevY = prevX - prevK;
            while (cx > prevX && cy > prevY)
            {
                cx--;
                cy--;
                reversed.Add(new Edit(Kind.Same, offset + cx, offset + cy));
            }

            if (cx == prevX)
            {
                cy--;
                reversed.Add(new Edit(Kind.Added, -1, offset + cy));
            }
            else
            {
                cx--;
                reversed.Add(new Edit(Kind.Removed, offset + cx, -1));
            }
        }

        while (cx > 0 && cy > 0)
        {
            cx--;
            cy--;
            reversed.Add(new Edit(Kind.Same, offset + cx, offset + cy));
        }

        reversed.Reverse();
        return reversed;
    }

    /// <summary>Fallback for hopelessly different inputs: pair lines by position.</summary>
    private static List<Edit> Positional(IReadOnlyList<string> a, IReadOnlyList<string> b, int offset, int n, int m)
    {
        var edits = new List<Edit>(n + m);
        for (int i = 0; i < Math.Max(n, m); i++)
        {
            bool hasA = i < n;
            bool hasB = i < m;
            if (hasA && hasB && a[offset + i] == b[offset + i])
            {
                edits.Add(new Edit(Kind.Same, offset + i, offset + i));
                continue;
            }

            if (hasA)
            {
                edits.Add(new Edit(Kind.Removed, offset + i, -1));
            }

            if (hasB)
            {
                edits.Add(new Edit(Kind.Added, -1, offset + i));
            }
        }

        return edits;
    }

    /// <summary>
    /// Unified-style text of the first <paramref name="maxHunks"/> hunks: header lines naming both
    /// sides, <c>@@ -l,n +l,n @@</c> hunk headers, context lines prefixed with a blank.
    /// </summary>
    public static string Render(Result result, IReadOnlyList<string> expected, IReadOnlyList<string> actual,
        string expectedName, string actualName, int context = 2, int maxHunks = 3, int maxLinesPerHunk = 40)
    {
        var sb = new StringBuilder();
        sb.Append("--- ").Append(expectedName).Append('\n');
        sb.Append("+++ ").Append(actualName).Append('\n');
        IReadOnlyList<Edit> script = result.Script;
        int i = 0;
        int hunks = 0;
        while (i < script.Count && hunks < maxHunks)
        {
            while (i < script.Count && script[i].Kind == Kind.Same)
            {
                i++;
            }

            if (i >= script.Count)
            {
                break;
            }

            int start = Math.Max(0, i - context);
            int end = i;
            int sameRun = 0;
            while (end < script.Count)
            {
                sameRun = script[end].Kind == Kind.Same ? sameRun + 1 : 0;
                if (sameRun > 2 * context)
                {
                    // Keep `context` unchanged lines after the last change, then stop.
                    end = end - sameRun + 1 + context;
                    break;
                }

                end++;
            }

            end = Math.Min(end, script.Count);
            if (end == script.Count)
            {
                int trailing = 0;
                while (trailing < end - i && script[end - 1 - trailing].Kind == Kind.Same)
                {
                    trailing++;
                }

                end -= Math.Max(0, trailing - context);
            }

            (int expStart, int expCount, int actStart, int actCount) = Span(script, start, end, expected.Count, actual.Count);
            sb.Append("@@ -").Append(expStart + 1).Append(',').Append(expCount)
              .Append(" +").Append(actStart + 1).Append(',').Append(actCount).Append(" @@\n");
            int printed = 0;
            for (int j = start; j < end; j++)
            {
                if (printed++ == maxLinesPerHunk)
                {
                    sb.Append("  … (").Append(end - j).Append(" more lines in this hunk)\n");
                    break;
                }

                Edit e = script[j];
                switch (e.Kind)
                {
                    case Kind.Same:
                        sb.Append(' ').Append(expected[e.ExpectedIndex]).Append('\n');
                        break;
                    case Kind.Removed:
                        sb.Append('-').Append(expected[e.ExpectedIndex]).Append('\n');
                        break;
                    default:
                        sb.Append('+').Append(actual[e.ActualIndex]).Append('\n');
                        break;
                }
            }

            hunks++;
            i = end;
        }

        int remaining = 0;
        for (; i < script.Count; i++)
        {
            if (script[i].Kind != Kind.Same)
            {
                remaining++;
            }
        }

        if (remaining > 0)
        {
            sb.Append("… ").Append(remaining).Append(" more differing lines not shown\n");
        }

        return sb.ToString();
    }

    private static (int, int, int, int) Span(IReadOnlyList<Edit> script, int start, int end, int expectedCount, int actualCount)
    {
        int expStart = -1;
        int actStart = -1;
        int expCount = 0;
        int actCount = 0;
        for (int j = start; j < end; j++)
        {
            Edit e = script[j];
            if (e.Kind != Kind.Added)
            {
                expStart = expStart < 0 ? e.ExpectedIndex : expStart;
                expCount++;
            }

            if (e.Kind != Kind.Removed)
            {
                actStart = actStart < 0 ? e.ActualIndex : actStart;
                actCount++;
            }
        }

        // Position of an empty side: where the first line of the hunk would go.
        if (expStart < 0)
        {
            expStart = NextIndex(script, end, e => e.ExpectedIndex, expectedCount) - 1;
        }

        if (actStart < 0)
        {
            actStart = NextIndex(script, end, e => e.ActualIndex, actualCount) - 1;
        }

        return (expStart, expCount, actStart, actCount);
    }

    private static int NextIndex(IReadOnlyList<Edit> script, int from, Func<Edit, int> index, int count)
    {
        for (int j = from; j < script.Count; j++)
        {
            if (index(script[j]) >= 0)
            {
                return index(script[j]);
            }
        }

        return count;
    }
}
