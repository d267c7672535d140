namespace KubeMacPool.Benchmarks.Scale;

/// <summary>Reads what a log file gained since the last call (lines counted, or the lines with a word kept).</summary>
internal sealed class LogTail(string path)
{
    private long _offset = File.Exists(path) ? new FileInfo(path).Length : 0;
    private long _total;

    /// <summary>Lines the file had when watching began plus every line it gained: a running count, subtract two for a phase.</summary>
    public long Lines()
    {
        var lines = 0L;
        foreach (var _ in ReadNew())
        {
            lines++;
        }

        _total += lines;
        return _total;
    }

    public List<string> NewLinesContaining(string word)
    {
        var found = new List<string>();
        foreach (var line in ReadNew())
        {
            _total++;
            if (line.Contains(word, StringComparison.Ordinal))
            {
                found.Add(line);
            }
        }

        return found;
    }

    private IEnumerable<string> ReadNew()
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(_offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }

        _offset = stream.Length;
    }
}
