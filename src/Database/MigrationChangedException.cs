namespace Newsletter.Database;

/// <summary>An applied migration's text differs from the one shipped: the schema and the code no longer match.</summary>
public sealed class MigrationChangedException : InvalidOperationException
{
    public MigrationChangedException(string name)
        : base($"migration {name} was changed after it was applied; add a new migration instead") => Name = name;

    public MigrationChangedException() : base("a migration was changed after it was applied") => Name = "";

    public MigrationChangedException(string message, Exception innerException) : base(message, innerException) => Name = "";

    /// <summary>The migration's file name, without <c>.sql</c>.</summary>
    public string Name { get; }
}
