namespace Newsletter.Database;

/// <summary>
/// The one mapping between a state enum and its database value: the member's name in snake case (<c>Sending</c> →
/// <c>sending</c>, <c>FollowedFirst</c> → <c>followed_first</c>), as the migrations' CHECK constraints spell them. SQL in
/// C# takes its state literals from <see cref="Sql{T}(T[])"/>, so no state is spelled twice and the statements keep
/// constant text (the partial indexes on state still match).
/// </summary>
public static class DbValue
{
    /// <summary>The database value of <paramref name="value"/>.</summary>
    public static string Of<T>(T value) where T : struct, Enum => Names<T>.ByValue[value];

    /// <summary>The values as SQL literals separated by commas, for <c>state = {..}</c> or <c>state in ({..})</c>.</summary>
    public static string Sql<T>(params T[] values) where T : struct, Enum
        => string.Join(", ", values.Select(v => "'" + Of(v) + "'"));

    /// <summary>The member whose database value is <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">no member has that value.</exception>
    public static T Parse<T>(string name) where T : struct, Enum
        => Names<T>.ByName.TryGetValue(name, out var value) ? value : throw new ArgumentException($"'{name}' is not a {typeof(T).Name}", nameof(name));

    /// <summary>Every database value of <typeparamref name="T"/> (tests compare them with the CHECK constraints).</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Names<T>.InOrder;

    private static class Names<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>().ToDictionary(v => v, v => SnakeCase(v.ToString()));
        public static readonly Dictionary<string, T> ByName = ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        public static readonly string[] InOrder = [.. ByValue.Values];
    }

    private static string SnakeCase(string name)
    {
        var b = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) b.Append('_');
            b.Append(char.ToLowerInvariant(name[i]));
        }
        return b.ToString();
    }
}
