namespace Newsletter.TestSupport;

/// <summary>Finds the repository checkout the tests run from (the folder holding Newsletter.sln).</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Newsletter.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Newsletter.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The shared folder beside the checkout (<c>../shared</c>), when present (CI has it).</summary>
    public static string? SharedFolder()
    {
        var shared = Path.GetFullPath(Path.Combine(Find(), "..", "shared"));
        return Directory.Exists(shared) ? shared : null;
    }
}
