using Newsletter.Mail.Mime;

namespace Newsletter.Sender.Delivery;

/// <summary>An edition compiled for sending: the stored render, compiled once into a mail-merge template.</summary>
public sealed record EditionContent(long Id, string Subject, DateTimeOffset StartedAt, MessageTemplate Template)
{
    /// <summary>Size of the largest message composed so far, plus room: the next buffer is rented at this size.</summary>
    public int SizeHint { get; set; } = 64 * 1024;
}
