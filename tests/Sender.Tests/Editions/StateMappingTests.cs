using System.Text.RegularExpressions;
using Dapper;
using Newsletter.Database;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Tests.Editions;

/// <summary>The state enums and the migrations' CHECK constraints name the same values (DbValue is the one mapping).</summary>
public partial class StateMappingTests
{
    [Theory]
    [InlineData("editions", "state", typeof(EditionState))]
    [InlineData("editions", "pause_cause", typeof(PauseCause))]
    [InlineData("deliveries", "state", typeof(DeliveryState))]
    [InlineData("outbox", "state", typeof(OutboxState))]
    public async Task Each_state_enum_names_exactly_the_values_its_column_allows(string table, string column, Type type)
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabases.CreateAsync());
        await using var connection = await db.OpenConnectionAsync();
        var definitions = await connection.QueryAsync<string>(
            """
            select pg_get_constraintdef(c.oid) from pg_constraint c join pg_class t on t.oid = c.conrelid
            where t.relname = @table and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%' || @column || '%ANY%'
            """, new { table, column });
        var allowed = definitions.SelectMany(d => Literal().Matches(d).Select(m => m.Groups[1].Value)).ToHashSet();
        var names = (IReadOnlyList<string>)typeof(DbValue).GetMethod(nameof(DbValue.All))!.MakeGenericMethod(type).Invoke(null, null)!;
        // Released is an outcome of an attempt, never stored.
        var stored = names.Where(n => !(type == typeof(OutboxState) && n == DbValue.Of(OutboxState.Released))).ToHashSet();

        Assert.NotEmpty(allowed);
        Assert.Equal(allowed.Order(), stored.Order());
    }

    [Fact]
    public void Values_round_trip_and_read_as_sql_literals()
    {
        Assert.Equal("sending", DbValue.Of(EditionState.Sending));
        Assert.Equal("'pending', 'deferred'", DbValue.Sql(DeliveryState.Pending, DeliveryState.Deferred));
        foreach (var s in Enum.GetValues<EditionState>()) Assert.Equal(s, DbValue.Parse<EditionState>(DbValue.Of(s)));
        Assert.Throws<ArgumentException>(() => DbValue.Parse<EditionState>("Sending"));
    }

    [GeneratedRegex("'([a-z_]+)'::text")]
    private static partial Regex Literal();
}
