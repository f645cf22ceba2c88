using System.Globalization;

namespace Newsletter.Bench;

/// <summary>CPU figures from /proc, shared by the benchmarks (linked into each bench project).</summary>
internal static class ProcStat
{
    /// <summary>
    /// CPU seconds a process used: utime + stime, or with <paramref name="children"/> cutime + cstime (its children that
    /// exited), or only the system part; 0 when the process is gone.
    /// </summary>
    public static double CpuSeconds(int pid, bool children = false, bool systemOnly = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime, stime, cutime and cstime are fields 14 to 17 of stat, counted from the pid; 100 clock ticks a second.
            var first = children ? 13 : 11;
            var system = long.Parse(fields[first + 1], CultureInfo.InvariantCulture);
            return (systemOnly ? system : long.Parse(fields[first], CultureInfo.InvariantCulture) + system) / 100.0;
        }
        catch (IOException) { return 0; }
    }

    /// <summary>The machine's busy and total clock ticks so far (first line of /proc/stat), all cores together.</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        // cpu user nice system idle iowait irq softirq steal ...
        var v = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var total = v.Take(8).Sum();
        return (total - v[3] - v[4], total);
    }

    /// <summary>How many cores were busy on average between two <see cref="MachineTicks"/> readings (0 if no tick passed).</summary>
    public static double CoresBusy((long Busy, long Total) from, (long Busy, long Total) to)
        => to.Total > from.Total ? (double)(to.Busy - from.Busy) / (to.Total - from.Total) * Environment.ProcessorCount : 0;
}
