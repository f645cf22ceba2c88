using System.Runtime.InteropServices;

namespace Newsletter.Templates.Compilation;

/// <summary>Gives freed memory back to the operating system after the template compiler is let go.</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// Collects (the compiler's metadata is native memory freed by finalizers), then asks glibc to return its free
    /// heap pages, which it otherwise keeps for reuse.
    /// </summary>
    public static void Reclaim()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (musl has no malloc_trim): the pages are reused by the process instead.
            }
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
