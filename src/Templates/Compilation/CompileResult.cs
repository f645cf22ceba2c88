namespace Newsletter.Templates.Compilation;

/// <summary>
/// What compiling one template gave: the assembly and its symbols, or the error (file, line, message, and the
/// compiler's whole text). Travels out of <see cref="CompilerContext"/> as an array of BCL values.
/// </summary>
internal sealed record CompileResult(byte[]? Assembly, byte[]? Symbols, string? File, int? Line, string? Detail, string? Full)
{
    public object?[] ToParts() => [Assembly, Symbols, File, Line, Detail, Full];

    public static CompileResult FromParts(object?[] parts) =>
        new((byte[]?)parts[0], (byte[]?)parts[1], (string?)parts[2], (int?)parts[3], (string?)parts[4], (string?)parts[5]);
}
