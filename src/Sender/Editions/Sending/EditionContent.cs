using Newsletter.Mail.Mime;

namespace Newsletter.Sender.Editions;

/// <summary>An edition compiled for sending: the stored render, compiled once into a mail-merge template.</summary>
public sealed record EditionContent(long Id, string Subject, DateTimeOffset StartedAt, MessageTemplate Template)
{
    private StampedTemplate? stamped;

    /// <summary>Size of the largest message composed so far, plus room: the next buffer is rented at this size.</summary>
    public int SizeHint { get; set; } = 64 * 1024;

    /// <summary>
    /// Compiles the edition with a click stamp written in (null when it has no tracked links). The stamp changes once a
    /// period, so the template of the current period is kept.
    /// </summary>
    public Func<long, MessageTemplate>? Restamp { get; init; }

    /// <summary>The template for messages composed with click stamp <paramref name="stamp"/> (<see cref="Template"/> without tracked links).</summary>
    public MessageTemplate TemplateAt(long stamp)
    {
        if (Restamp is null) return Template;
        var current = Volatile.Read(ref stamped);
        if (current is not null && current.Stamp == stamp) return current.Template;
        // Two senders may compile the same period at once; either result is the same template.
        var fresh = new StampedTemplate(stamp, Restamp(stamp));
        Volatile.Write(ref stamped, fresh);
        return fresh.Template;
    }

    private sealed record StampedTemplate(long Stamp, MessageTemplate Template);
}
