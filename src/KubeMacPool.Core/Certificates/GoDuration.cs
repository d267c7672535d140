using System.Globalization;
using System.Text;

namespace KubeMacPool.Core.Certificates;

/// <summary>
/// Go's duration syntax (<c>time.ParseDuration</c>): a sequence of decimal numbers with unit suffixes, such as
/// <c>8760h0m0s</c>, <c>1.5h</c> or <c>90s</c>; units <c>ns</c>, <c>us</c> (<c>µs</c>), <c>ms</c>, <c>s</c>, <c>m</c>,
/// <c>h</c>. Upstream's interval settings use it, so existing manifests keep working. Precision is 100 ns (a tick).
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m), ("us", 10m), ("µs", 10m), ("μs", 10m), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty duration";
            return false;
        }

        var s = text.Trim();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            error = $"invalid duration \"{text}\"";
            return false;
        }

        decimal ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                error = $"invalid duration \"{text}\": expected a number at \"{s[start..]}\"";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            if (unit.Length == 0)
            {
                error = $"invalid duration \"{text}\": missing unit after \"{number}\" (use h, m, s, ms, us or ns, as in 8760h0m0s)";
                return false;
            }

            var factor = Array.Find(Units, u => u.Unit == unit).Ticks;
            if (factor == 0)
            {
                error = $"invalid duration \"{text}\": unknown unit \"{unit}\" (use h, m, s, ms, us or ns)";
                return false;
            }

            try
            {
                ticks += value * factor;
            }
            catch (OverflowException)
            {
                ticks = decimal.MaxValue;
            }

            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                error = $"invalid duration \"{text}\": too large";
                return false;
            }
        }

        duration = TimeSpan.FromTicks((long)decimal.Round(ticks) * (negative ? -1 : 1));
        return true;
    }

    /// <summary>Go's <c>Duration.String()</c> form for whole seconds and above (<c>8760h0m0s</c>), for messages and logs.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            builder.Append('-');
            duration = duration.Duration();
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return builder.Append(duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms").ToString();
        }

        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || duration.Minutes > 0)
        {
            builder.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        return builder.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}
