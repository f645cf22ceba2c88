using System.Runtime.InteropServices;

namespace Newsletter.Templates.Compilation;

/// <summary>Gives freed memory back to the operating system after the template compiler is unloaded.</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// Collects until the unloaded context is gone (its code and metadata are freed a collection or two after its
    /// finalizers run), then asks glibc to return its free heap pages, which it otherwise keeps for reuse.
    /// </summary>
    public static void Reclaim(WeakReference unloaded)
    {
        for (var i = 0; i < 20 && unloaded.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

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
