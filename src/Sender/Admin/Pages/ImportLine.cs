namespace Newsletter.Sender.Admin.Pages;

public sealed record ImportLine(string File, bool Ok, string Outcome, IReadOnlyList<string> Errors);
