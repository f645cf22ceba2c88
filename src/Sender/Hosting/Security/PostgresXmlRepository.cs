using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Newsletter.Sender.Hosting;

/// <summary>The Data Protection key ring in the <c>data_protection_keys</c> table: every instance reads and adds to the same ring.</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    // The interface is synchronous; it is called when the key ring is (re)loaded, about once a day per instance.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = db.CreateCommand("select xml from data_protection_keys order by id");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var command = db.CreateCommand("insert into data_protection_keys (friendly_name, xml) values ($1, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)friendlyName ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
        command.ExecuteNonQuery();
    }
}
