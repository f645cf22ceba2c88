namespace Newsletter.Sender.Editions;

/// <summary>What <see cref="EditionTransitions.StoreContentAsync"/> stores: the edition rendered once, with slot markers.</summary>
public sealed record EditionContentRow(string Subject, string? Preheader, string Html, string Text, string SlotPrefix, string SlotSuffix);
